package io.sagaorchestrator.sagalog;

import java.time.Duration;
import java.util.Objects;

/**
 * A saga to record: owned by {@code owner} for {@code lease}, with the intent of its first remote
 * call when its first step is remote (null otherwise), found again by its idempotency key (may be null).
 */
public record NewSaga(SagaSnapshot saga, String idempotencyKey, String owner, Duration lease, AttemptRecord intent) {

    public NewSaga {
        Objects.requireNonNull(saga, "saga");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(lease, "lease");
    }
}
