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

    /** {@code A RUNNING}, {@code An ESCALATED}: the status with its article, to open a sentence. */
    public String withArticle() {
        return ("AEIOU".indexOf(name().charAt(0)) >= 0 ? "An " : "A ") + name();
    }

    public boolean isTerminal() {
        return this != RUNNING && this != COMPENSATING;
    }
}
