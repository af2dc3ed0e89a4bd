package io.sagaorchestrator.store;

/** A read of the saga log that was not done, to protect the rest of the service: 503, nothing changed. */
public class SearchUnavailableException extends RuntimeException {

    public enum Reason {
        /** PostgreSQL stopped the statement at the read side's statement timeout. */
        TIMED_OUT,
        /** No read connection became free in time. */
        BUSY
    }

    private final Reason reason;

    public SearchUnavailableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
