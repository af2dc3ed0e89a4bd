package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.steps.StepFailure;

/** How one run of a step ended; what follows is {@link SagaTransitions}' to decide. */
sealed interface StepRun {

    record Succeeded(JsonNode output) implements StepRun {
    }

    /** The run's last attempt failed (or it could make none), and it tries no more by itself. */
    record Failed(StepFailure failure) implements StepRun {
    }
}
