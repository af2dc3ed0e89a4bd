package io.sagaorchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.actions.StepFailure;

/** How one run of a step ended: it succeeded, it may be tried again later, or it gave up. */
sealed interface StepRun {

    record Succeeded(JsonNode output) implements StepRun {
    }

    /** Retryable, but this run's quick attempts are spent: schedule the next run. */
    record RetryLater(StepFailure failure) implements StepRun {
    }

    /** Rejected, or the attempt budget is spent. */
    record GaveUp(StepFailure failure) implements StepRun {
    }
}
