package io.sagaorchestrator.steps;

/**
 * What a step's compensation does with a remote effect of uncertain ownership: the third party answered "it exists"
 * after an earlier attempt of this saga lost its answer, so the object may be this saga's own or somebody else's, and
 * the third party offers no way to tell (e.g. TT's EXISTS after a lost add). Set per step with {@code onUncertainOwnership}.
 */
public enum OwnershipPolicy {
    /** Stop and wait for a person, who checks at the third party (the default: nothing is deleted or left on a guess). */
    ESCALATE,
    /** Undo it as if this saga created it: right almost always, but deletes somebody else's object when it was theirs. */
    COMPENSATE,
    /** Leave it in place and record why in the compensation's output: never deletes a stranger's, may leave our own behind. */
    KEEP
}
