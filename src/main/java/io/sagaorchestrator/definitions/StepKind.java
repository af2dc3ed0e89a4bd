package io.sagaorchestrator.definitions;

/** Where a step's effect lives, which decides how the engine records it. */
public enum StepKind {
    /** A call to a third party: intent committed before, outcome after, retried with reconciliation. */
    REMOTE,
    /** A change to the service's own database, committed together with its log row. */
    LOCAL
}
