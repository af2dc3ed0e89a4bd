package io.sagaorchestrator.core;

/** What a step did to the world, which decides whether compensation must undo it. */
public enum Effect {
    DONE,
    /** An attempt's outcome is unknown: the step may have taken effect. */
    UNCERTAIN,
    COMPENSATED,
    /** Its condition ({@code when:}) was false: it never ran, and there is nothing of it to undo. */
    SKIPPED
}
