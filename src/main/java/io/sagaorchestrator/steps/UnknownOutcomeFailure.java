package io.sagaorchestrator.steps;

/**
 * The request may or may not have been carried out (a timeout, a 5xx, a dropped connection, or an
 * instance that died between the intent and the outcome). The step counts as possibly done: a retry
 * must reconcile, and compensation must undo it if it did happen.
 */
public final class UnknownOutcomeFailure extends StepFailure {
    public UnknownOutcomeFailure(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean mayHaveTakenEffect() {
        return true;
    }
}
