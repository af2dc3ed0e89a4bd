package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** One attempt of one step in one direction, as kept in the saga log. */
public record AttemptRecord(String stepName, Direction direction, int attempt, Outcome outcome, String instance,
                            Instant startedAt, Instant endedAt, String errorClass, String errorMessage,
                            JsonNode request, JsonNode response) {

    /** The error kind of an intent closed because the instance that made its call is gone. */
    public static final String INTERRUPTED = "InterruptedAttempt";
    private static final String INTERRUPTED_WHY = "the instance making this call stopped before its outcome was recorded";

    /** An intent of {@code step} going {@code direction} whose outcome nobody recorded. */
    public boolean pendingOn(String step, Direction direction) {
        return outcome == Outcome.PENDING && stepName.equals(step) && this.direction == direction;
    }

    /** This intent closed because its owner stopped before recording the outcome: the call may have happened. */
    public AttemptRecord interrupted(Instant at) {
        return finished(Outcome.UNKNOWN, at, INTERRUPTED, INTERRUPTED_WHY, null);
    }

    /** Why {@link #interrupted} closed an intent, for the log's bulk update of the same. */
    public static String interruptedWhy() {
        return INTERRUPTED_WHY;
    }

    public AttemptRecord finished(Outcome outcome, Instant at, String errorClass, String errorMessage, JsonNode response) {
        return new AttemptRecord(stepName, direction, attempt, outcome, instance, startedAt, at, errorClass, errorMessage,
                request, response);
    }
}
