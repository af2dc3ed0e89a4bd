package io.sagaorchestrator.steps;

/**
 * The other side refused the request for good (a 4xx, a broken constraint): nothing was changed,
 * and asking again will get the same answer. A rejected forward step sends the saga to compensation;
 * a rejected compensation escalates it.
 */
public final class RejectedFailure extends StepFailure {
    public RejectedFailure(String message) {
        super(message, null);
    }

    public RejectedFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
