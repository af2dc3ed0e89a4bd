package io.sagaorchestrator.definitions;

/** Where a step's effect lives, which decides how the engine records it. */
public enum StepKind {
    /** A call to a third party: intent committed before, outcome after, retried with reconciliation. */
    REMOTE,
    /**
     * A call to a third party that is owed once the local transaction before it has committed (the
     * transactional outbox): retried like a remote step, needs no compensation, and when it cannot
     * be made the saga is escalated for a person to resend, unless the step says to compensate.
     */
    OUTBOX,
    /** A change to the service's own database, committed together with its log row. */
    LOCAL,
    /**
     * A wait for a signal ({@link Await}): nothing is called and nothing is changed, so there is nothing to undo; the
     * saga waits released, without an owner.
     */
    AWAIT;

    public boolean callsThirdParty() {
        return this == REMOTE || this == OUTBOX;
    }
}
