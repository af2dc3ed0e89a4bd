package io.sagaorchestrator.operator;

import io.sagaorchestrator.core.SagaStatus;

import java.util.UUID;

/**
 * A manual operation that does not fit the saga's state; nothing was changed. What does fit is asked of the saga as it
 * stands once this refusal's transaction has rolled back ({@link ManualOperations#allowedNow}).
 */
public final class OperationRefusedException extends RuntimeException {

    private final UUID sagaId;
    private final SagaStatus status;

    public OperationRefusedException(UUID sagaId, SagaStatus status, String why) {
        super(why);
        this.sagaId = sagaId;
        this.status = status;
    }

    public UUID sagaId() {
        return sagaId;
    }

    public SagaStatus status() {
        return status;
    }
}
