package io.sagaorchestrator.definitions;

/** What a saga does when a forward step gives up (rejected, or its attempt budget spent). */
public enum FailurePolicy {
    /** Undo the steps that took effect, in reverse order. */
    COMPENSATE,
    /** Stop and wait for a person: the step's effect is owed and must not be given up silently. */
    ESCALATE
}
