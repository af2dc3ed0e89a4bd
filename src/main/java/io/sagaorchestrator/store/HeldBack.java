package io.sagaorchestrator.store;

import io.sagaorchestrator.core.AttemptRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * What a run learned since its last commit and writes with its next one (see {@link SagaLog#writeHeldBack}): outcomes of
 * remote attempts whose intents are in the log, local attempts that failed (rolled back with their transaction), and
 * the trace a resumed saga's first traced run began. Holding them keeps a successful saga at two commits; losing them
 * in a crash loses nothing, since the next owner re-derives them from the log (an intent without outcome is unknown).
 * Owned by one run, on one thread.
 */
public final class HeldBack {

    private final List<AttemptRecord> outcomes = new ArrayList<>();
    private final List<AttemptRecord> failedLocalAttempts = new ArrayList<>();
    private String traceParent;

    /** The outcome of an attempt whose intent is in the log. */
    public void outcome(AttemptRecord finished) {
        outcomes.add(finished);
    }

    /** A local attempt that failed: its transaction, and its row, rolled back. */
    public void failedLocalAttempt(AttemptRecord failed) {
        failedLocalAttempts.add(failed);
    }

    public void traceParent(String traceParent) {
        this.traceParent = traceParent;
    }

    public void clear() {
        outcomes.clear();
        failedLocalAttempts.clear();
        traceParent = null;
    }

    List<AttemptRecord> outcomes() {
        return outcomes;
    }

    List<AttemptRecord> failedLocalAttempts() {
        return failedLocalAttempts;
    }

    String traceParent() {
        return traceParent;
    }
}
