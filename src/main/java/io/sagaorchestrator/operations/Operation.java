package io.sagaorchestrator.operations;

import io.sagaorchestrator.sagalog.SagaStatus;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What an operator may do to a saga by hand, and in which states. */
public enum Operation {
    /** Undo what the saga did: for a stuck RUNNING saga, or a COMPLETED one when forced. */
    COMPENSATE(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPLETED)),
    /** Try again with a fresh attempt budget: an ESCALATED saga's compensation, or a stuck step. */
    RETRY(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING, SagaStatus.ESCALATED)),
    /** Close an ESCALATED saga after repairing it by hand. */
    RESOLVE(EnumSet.of(SagaStatus.ESCALATED)),
    /** Hold a live saga's next attempt back until it is resumed; one in flight ends first. */
    PAUSE(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING)),
    /** Let a paused saga go on. */
    RESUME(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING)),
    /** Record that the current forward step was done by hand, with its output, and go on: a stuck or escalated saga. */
    SKIP(EnumSet.of(SagaStatus.RUNNING, SagaStatus.ESCALATED)),
    /** Move a live or escalated saga to the current version of its definition, and go on where it stopped. */
    REPLAN(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING, SagaStatus.ESCALATED));

    private final Set<SagaStatus> allowedFrom;

    Operation(Set<SagaStatus> allowedFrom) {
        this.allowedFrom = allowedFrom;
    }

    public boolean allowedFrom(SagaStatus status) {
        return allowedFrom.contains(status);
    }

    public String path() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> allowedIn(SagaStatus status) {
        return EnumSet.allOf(Operation.class).stream().filter(o -> o.allowedFrom(status)).map(Operation::path).toList();
    }
}
