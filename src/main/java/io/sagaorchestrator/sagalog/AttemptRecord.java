package io.sagaorchestrator.sagalog;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** One attempt of one step in one direction, as kept in the saga log. */
public record AttemptRecord(String stepName, Direction direction, int attempt, Outcome outcome, String instance,
                            Instant startedAt, Instant endedAt, String errorClass, String errorMessage,
                            JsonNode request, JsonNode response) {

    public AttemptRecord finished(Outcome outcome, Instant at, String errorClass, String errorMessage, JsonNode response) {
        return new AttemptRecord(stepName, direction, attempt, outcome, instance, startedAt, at, errorClass, errorMessage,
                request, response);
    }
}
