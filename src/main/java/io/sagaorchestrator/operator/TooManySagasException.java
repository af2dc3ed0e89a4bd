package io.sagaorchestrator.operator;

/** A bulk operation whose filter matches more sagas than one job may change: narrow the filter. */
public final class TooManySagasException extends RuntimeException {
    public TooManySagasException(int max) {
        super("The filter matches more than " + max + " sagas; narrow it (e.g. by definition or time range) and submit several jobs");
    }
}
