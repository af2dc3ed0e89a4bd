package io.sagaorchestrator.steps;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What an action sees of its saga when an attempt runs.
 *
 * @param outputs             outputs of the steps that took effect so far, by step name
 * @param forwardOutput       in a compensation: the output of the forward step being undone, or
 *                            null when its outcome was never learned
 * @param earlierAttemptInDoubt an earlier attempt of this step may have taken effect without the
 *                            saga learning its answer: the action must reconcile, not assume
 * @param onUncertainOwnership in a compensation: what to do with an effect that may be this saga's or somebody
 *                            else's (the step's {@code onUncertainOwnership})
 * @param item                for a step a {@code forEach} runs for each item of a list: the item this branch runs;
 *                            else null
 */
public record StepContext(UUID sagaId, String stepName, int attempt, JsonNode input,
                          Map<String, JsonNode> outputs, JsonNode forwardOutput,
                          boolean earlierAttemptInDoubt, OwnershipPolicy onUncertainOwnership, Item item) {

    /** An item of a {@code forEach}'s list: its place in the list (from 0) and its value. */
    public record Item(int index, JsonNode value) {
        public Item {
            Objects.requireNonNull(value, "value");
        }
    }

    /** An attempt of a step that runs no item of a list. */
    public StepContext(UUID sagaId, String stepName, int attempt, JsonNode input, Map<String, JsonNode> outputs,
                       JsonNode forwardOutput, boolean earlierAttemptInDoubt, OwnershipPolicy onUncertainOwnership) {
        this(sagaId, stepName, attempt, input, outputs, forwardOutput, earlierAttemptInDoubt, onUncertainOwnership, null);
    }

    public StepContext {
        Objects.requireNonNull(onUncertainOwnership, "onUncertainOwnership");
        Objects.requireNonNull(sagaId, "sagaId");
        Objects.requireNonNull(stepName, "stepName");
        Objects.requireNonNull(input, "input");
        outputs = Map.copyOf(outputs);
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt numbers start at 1, got " + attempt);
        }
    }

    /** A stable key of this step of this saga, for third parties that de-duplicate requests. */
    public String idempotencyKey() {
        return sagaId + ":" + stepName;
    }
}
