package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/** A step's effect and, when it succeeded, its output. */
public record StepState(Effect effect, JsonNode output) {
    public StepState {
        Objects.requireNonNull(effect, "effect");
        // read back from the log, "no output" arrives as a JSON null: keep one way of saying it
        if (output != null && output.isNull()) {
            output = null;
        }
    }
}
