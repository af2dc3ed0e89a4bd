package io.sagaorchestrator.sagalog;

import java.time.Duration;
import java.util.Objects;

/**
 * A saga to record: owned by {@code owner} for {@code lease}, with the intent of its first remote
 * call when its first step is remote (null otherwise), found again by its caller and idempotency key
 * (may be null): a key belongs to the caller that sent it.
 */
public record NewSaga(SagaSnapshot saga, String caller, String idempotencyKey, String owner, Duration lease, AttemptRecord intent) {

    public NewSaga {
        Objects.requireNonNull(saga, "saga");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(lease, "lease");
    }
}
