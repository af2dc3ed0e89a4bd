package io.sagaorchestrator.store;

public final class InvalidCursorException extends RuntimeException {
    public InvalidCursorException(String cursor) {
        super("cursor '" + cursor + "' is not one this API gave out; start again without a cursor");
    }
}
