package io.sagaorchestrator.store;

/**
 * The database refused a new saga's values (a data or constraint error): repeating the same
 * request would be refused again, and nothing of the saga was written.
 */
public final class SagaRefusedException extends RuntimeException {

    public SagaRefusedException(Throwable cause) {
        super("the saga log refused the saga: " + cause.getMessage(), cause);
    }
}
