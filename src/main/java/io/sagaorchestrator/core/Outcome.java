package io.sagaorchestrator.core;

/** The outcome of one attempt of a step, as the saga log records it. */
public enum Outcome {
    /** The intent is committed and the call may be under way, or the instance died during it. */
    PENDING,
    SUCCEEDED,
    /** Did not happen; may be tried again. */
    FAILED,
    /** May or may not have happened. */
    UNKNOWN,
    /** Did not happen and will not if asked again. */
    REJECTED
}
