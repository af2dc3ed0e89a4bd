package io.sagaorchestrator.store;

import io.sagaorchestrator.core.AttemptRecord;
import io.sagaorchestrator.core.SagaSnapshot;

import java.time.Duration;
import java.util.Objects;

/**
 * A saga to record: owned by {@code owner} for {@code lease}, with the intent of its first remote
 * call when its first step is remote (null otherwise), found again by its caller and idempotency key
 * (may be null): a key belongs to the caller that sent it.
 *
 * @param liveKey          the value of its definition's {@code key:}, or null: at most one live saga holds a key
 * @param refuseWhileLive  refuse the saga when another holds its key, instead of recording it to wait
 */
public record NewSaga(SagaSnapshot saga, String caller, String idempotencyKey, String owner, Duration lease, AttemptRecord intent,
                      String liveKey, boolean refuseWhileLive) {

    /** A saga of a definition without a key. */
    public NewSaga(SagaSnapshot saga, String caller, String idempotencyKey, String owner, Duration lease, AttemptRecord intent) {
        this(saga, caller, idempotencyKey, owner, lease, intent, null, false);
    }

    public NewSaga {
        Objects.requireNonNull(saga, "saga");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(lease, "lease");
    }
}
