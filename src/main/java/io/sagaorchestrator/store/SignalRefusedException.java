package io.sagaorchestrator.store;

/**
 * The saga log refused a signal, nothing changed: the saga is not there ({@link Why#NO_SAGA}), will never wait for it
 * ({@link Why#NO_SUCH_AWAIT}: its definition has no such await), waits for it no more ({@link Why#NOT_WAITING}: it ended,
 * compensates, or is past its await), or already has it ({@link Why#CONFLICT}: another signal under another id, or the
 * same id with another payload). The message is {@code saga_signal}'s, which says which.
 */
public final class SignalRefusedException extends RuntimeException {

    public enum Why { NO_SAGA, NO_SUCH_AWAIT, NOT_WAITING, CONFLICT }

    private final Why why;

    public SignalRefusedException(Why why, String message) {
        super(message);
        this.why = why;
    }

    public Why why() {
        return why;
    }
}
