package io.sagaorchestrator.core;

import java.util.EnumSet;
import java.util.Set;

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

    /** The sagas the engine advances: the only ones with attempts, leases, a pause or a wake-up time. */
    public static final Set<SagaStatus> LIVE = EnumSet.of(RUNNING, COMPENSATING);
    /**
     * The sagas that hold their key (see V14): the live ones, and an ESCALATED one, whose effects at the third party are
     * undecided until a person resolves it.
     */
    public static final Set<SagaStatus> UNSETTLED = EnumSet.of(RUNNING, COMPENSATING, ESCALATED);
    /** The sagas that ended for good, which retention may delete; ESCALATED ones wait for a person. */
    public static final Set<SagaStatus> SETTLED = EnumSet.complementOf(EnumSet.copyOf(UNSETTLED));

    public boolean isTerminal() {
        return !LIVE.contains(this);
    }
}
