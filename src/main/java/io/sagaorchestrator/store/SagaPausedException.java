package io.sagaorchestrator.store;

import java.util.UUID;

/**
 * A commit that would begin an attempt found the saga paused by an operator: nothing of it was written. The run still
 * holds the saga (the pause does not bump its version), so it commits what it held back and releases the saga.
 */
public final class SagaPausedException extends RuntimeException {
    public SagaPausedException(UUID sagaId) {
        super("saga " + sagaId + " was paused by an operator: it makes no new attempt until it is resumed");
    }
}
