package io.sagaorchestrator.store;

import java.util.UUID;

/**
 * Another instance took the saga over (its lease had expired, or an operator changed it): this
 * instance's view is stale and its write was refused. The run stops; the current owner goes on.
 */
public final class LeaseLostException extends RuntimeException {
    public LeaseLostException(UUID sagaId, long expectedVersion) {
        super("saga " + sagaId + " is no longer at version " + expectedVersion + " of this instance: another instance owns it now");
    }
}
