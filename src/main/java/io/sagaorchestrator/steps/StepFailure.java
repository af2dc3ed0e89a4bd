package io.sagaorchestrator.steps;

/**
 * Why an attempt of a step did not succeed. Actions throw one of the subclasses, each a kind of
 * failure the engine treats differently; a definition's retry policy names them in
 * {@code retryOn} / {@code abortOn}.
 */
public abstract sealed class StepFailure extends RuntimeException
        permits RejectedFailure, UnavailableFailure, UnknownOutcomeFailure, ManualRepairRequired {

    protected StepFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the attempt may have changed the other system although it did not succeed. */
    public boolean mayHaveTakenEffect() {
        return false;
    }
}
