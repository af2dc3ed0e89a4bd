package io.sagaorchestrator.core;

/** Which way an attempt of a step goes. */
public enum Direction {
    FORWARD,
    COMPENSATION,
    /**
     * The check that a compensation really undid (its {@code verify:}), made after the compensation answered success; see
     * {@link io.sagaorchestrator.definitions.CompensationCheck}. Its attempts are rows of their own in the saga log.
     */
    VERIFY
}
