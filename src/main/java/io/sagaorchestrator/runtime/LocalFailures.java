package io.sagaorchestrator.runtime;

import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.store.LeaseLostException;
import io.sagaorchestrator.store.SagaPausedException;

import java.sql.SQLException;
import java.util.Set;

/**
 * Sorts the failure of a local step's transaction. The transaction rolled back, so nothing of the
 * step happened; what matters is whether asking again can help, or whether the database itself is
 * out of reach, in which case the run must stop rather than compensate a step that never ran.
 */
final class LocalFailures {

    /** Serialization failures and deadlocks: the same transaction succeeds when tried again. */
    private static final Set<String> TRANSIENT = Set.of("40001", "40P01");
    /** The server went away or refuses connections: the outcome of a commit may be unknown. */
    private static final Set<String> UNREACHABLE = Set.of("57P01", "57P02", "57P03", "53300");

    private LocalFailures() {
    }

    /**
     * @return the failure kind to record for the step
     * @throws RuntimeException the original exception when the run must stop instead
     */
    static StepFailure classify(RuntimeException e) {
        StepFailure found = find(e);
        return found != null ? found : new RejectedFailure(e.toString(), e);
    }

    /** Looks along the causes: the first failure kind or SQL state found decides. */
    private static StepFailure find(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StepFailure f) {
                return f;
            }
            if (t instanceof LeaseLostException || t instanceof SagaPausedException) {
                throw e;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (unreachable(state)) {
                    throw e;
                }
                if (TRANSIENT.contains(state)) {
                    return new UnavailableFailure("the database asked to retry (" + state + "): " + sql.getMessage(), e);
                }
                return new RejectedFailure("the database refused the change (" + state + "): " + firstLine(rootMessage(sql)), e);
            }
        }
        return null;
    }

    /**
     * Whether a commit failed because the database was out of reach: gone, refusing connections, or none handed out in
     * time (the pool's timeout has no SQL state). Such a commit may pass when tried again; one the database refused, a
     * lost lease or a pause never does.
     */
    static boolean outOfReach(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StepFailure || t instanceof LeaseLostException || t instanceof SagaPausedException) {
                return false;
            }
            if (t instanceof SQLException sql) {
                return unreachable(sql.getSQLState());
            }
        }
        return false;
    }

    private static boolean unreachable(String state) {
        return state == null || state.startsWith("08") || UNREACHABLE.contains(state);
    }

    /** A failed batch reports "Batch entry 0 ... was aborted"; the server's own words come next in the chain. */
    private static String rootMessage(SQLException sql) {
        SQLException deepest = sql;
        while (deepest.getNextException() != null) {
            deepest = deepest.getNextException();
        }
        return deepest.getMessage();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
