package io.sagaorchestrator.core;

/** What a step did to the world, which decides whether compensation must undo it. */
public enum Effect {
    DONE,
    /** An attempt's outcome is unknown: the step may have taken effect. */
    UNCERTAIN,
    /**
     * Its compensation answered success and its {@code verify:} check is due: the saga makes the check's attempts (direction
     * {@link Direction#VERIFY}) before the step counts as compensated.
     */
    CHECKING,
    COMPENSATED,
    /** Its condition ({@code when:}) was false: it never ran, and there is nothing of it to undo. */
    SKIPPED
}
