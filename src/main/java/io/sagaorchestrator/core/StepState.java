package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A step's effect and, when it succeeded, its output.
 *
 * @param undo while its compensation's check is due ({@link Effect#CHECKING}): what the compensation answered, which the
 *             check reads in place of a forward output that was never learned; else null
 */
public record StepState(Effect effect, JsonNode output, JsonNode undo) {
    public StepState {
        Objects.requireNonNull(effect, "effect");
        // read back from the log, "no output" arrives as a JSON null: keep one way of saying it
        if (output != null && output.isNull()) {
            output = null;
        }
        if (undo != null && undo.isNull()) {
            undo = null;
        }
    }

    public StepState(Effect effect, JsonNode output) {
        this(effect, output, null);
    }
}
