package io.sagaorchestrator.steps;

/**
 * The request certainly did not reach the other side (connection refused, circuit open, bulkhead
 * full, a local transaction rolled back on a deadlock): nothing changed, so trying again is safe.
 */
public final class UnavailableFailure extends StepFailure {
    public UnavailableFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
