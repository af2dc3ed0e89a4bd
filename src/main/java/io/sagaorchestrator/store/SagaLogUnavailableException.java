package io.sagaorchestrator.store;

/**
 * The saga log could not be written. Whether the write took effect is unknown when the connection
 * broke during the commit: a caller learns it by repeating its request with the same idempotency key.
 */
public final class SagaLogUnavailableException extends RuntimeException {

    public SagaLogUnavailableException(Throwable cause) {
        super("the saga log could not be written: " + cause.getMessage(), cause);
    }
}
