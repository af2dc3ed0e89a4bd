package io.sagaorchestrator.sagalog;

/** Where a saga stands. Only RUNNING and COMPENSATING sagas are advanced by the engine. */
public enum SagaStatus {
    RUNNING,
    COMPLETED,
    COMPENSATING,
    /** Ended with every effect undone, also when there was nothing to undo. */
    COMPENSATED,
    /** Compensation gave up: the third party and the database may disagree until a person repairs it. */
    ESCALATED,
    /** An operator repaired an escalated saga by hand. */
    RESOLVED;

    public boolean isTerminal() {
        return this != RUNNING && this != COMPENSATING;
    }
}
