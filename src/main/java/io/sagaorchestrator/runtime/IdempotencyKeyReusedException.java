package io.sagaorchestrator.runtime;

import java.util.UUID;

/** An idempotency key sent again with a different input: a client bug the service must not paper over. */
public final class IdempotencyKeyReusedException extends RuntimeException {
    private final UUID sagaId;

    public IdempotencyKeyReusedException(String key, UUID sagaId) {
        super("Idempotency-Key '" + key + "' was used for saga " + sagaId + " with a different request body;"
                + " send a new key for a new request");
        this.sagaId = sagaId;
    }

    public UUID sagaId() {
        return sagaId;
    }
}
