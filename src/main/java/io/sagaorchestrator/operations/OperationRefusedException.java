package io.sagaorchestrator.operations;

import io.sagaorchestrator.sagalog.SagaStatus;

import java.util.List;
import java.util.UUID;

/** A manual operation that does not fit the saga's state; nothing was changed. */
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

    public List<String> allowed() {
        return Operation.allowedIn(status);
    }
}
