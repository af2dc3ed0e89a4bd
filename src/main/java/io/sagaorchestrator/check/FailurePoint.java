package io.sagaorchestrator.check;

import io.sagaorchestrator.core.SagaStatus;

import java.util.List;
import java.util.Objects;

/**
 * One way a saga of a definition can go wrong, and what the engine then does.
 *
 * @param step    the step that meets the failure
 * @param trigger what sends the saga there when the failure is not the step's own (for a compensation: which later
 *                failure makes it run); null when the step's own attempt fails
 * @param path    what the engine does, in order: every step run forward or undone, with its attempts and waits
 * @param end     the status the saga ends in
 * @param reason  for an ESCALATED end, what the saga says a person must look at; else null
 */
public record FailurePoint(String step, FailureKind failure, String trigger, List<String> path, SagaStatus end, String reason) {

    public FailurePoint {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(end, "end");
        path = List.copyOf(path);
        if (!end.isTerminal()) {
            throw new IllegalArgumentException("a failure point ends in a terminal status, not " + end);
        }
    }
}
