package io.sagaorchestrator.runtime;

import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.store.LeaseLostException;
import io.sagaorchestrator.store.SagaLogUnavailableException;
import com.github.rholder.retry.Attempt;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the commit of a local step fails, the step's transaction ({@code SagaLog.inNewTransaction})
 * throws the driver's SQLException wrapped, with the failed rollback suppressed, as seen when the
 * database terminated the connection during the commit (DatabaseOutageIT). Out of reach, the engine tries the commit
 * again; refused, it never does.
 */
class FailedCommitIsNotARefusalTest {

    @Test
    void aConnectionLostDuringTheCommitStopsTheRunInsteadOfCompensating() {
        RuntimeException failed = failedCommit(new SQLException("FATAL: terminating connection due to administrator command", "57P01"));

        RuntimeException thrown = assertThrows(RuntimeException.class, () -> LocalFailures.classify(failed));

        assertSame(failed, thrown);
    }

    @Test
    void aDeferredConstraintBrokenAtTheCommitIsARefusalThatSaysWhich() {
        RuntimeException failed = failedCommit(new SQLException("ERROR: duplicate key value violates unique constraint \"x\"", "23505"));

        RejectedFailure f = assertInstanceOf(RejectedFailure.class, LocalFailures.classify(failed));

        assertTrue(f.getMessage().contains("23505"), f.getMessage());
    }

    @Test
    void aSerializationFailureAtTheCommitIsRetried() {
        assertInstanceOf(UnavailableFailure.class, LocalFailures.classify(failedCommit(new SQLException("could not serialize", "40001"))));
    }

    @Test
    void aCommitThatFoundNoDatabaseIsTriedAgainOneItRefusedIsNot() {
        assertTrue(LocalFailures.outOfReach(failedCommit(new SQLException("FATAL: terminating connection due to administrator command", "57P01"))));
        // the pool handed out no connection in time: Agroal's exception carries no SQL state
        assertTrue(LocalFailures.outOfReach(new SagaLogUnavailableException(new SQLException("Sorry, acquisition timeout!"))));
        assertFalse(LocalFailures.outOfReach(failedCommit(new SQLException("ERROR: duplicate key value violates unique constraint \"x\"", "23505"))));
        assertFalse(LocalFailures.outOfReach(new LeaseLostException(UUID.randomUUID(), 3)));
    }

    @Test
    void aBrokenConstraintWarnsOfNoOutageAndAnOutageWarnsOnce() {
        // given the first attempt of a commit refused by a unique constraint (the Quick start's second curl)
        Attempt<Object> refused = failedAttempt(1, failedCommit(new SQLException("ERROR: duplicate key value violates unique"
                + " constraint \"liaison_info_phone_key\"", "23505")));
        // when the retryer's listener hears of it, then it says nothing: nothing is tried again
        assertNull(SagaEngine.outageWarning(refused, Duration.ofSeconds(15)));

        // a database that went away is tried again, and said so once, at the first attempt
        RuntimeException away = failedCommit(new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        String warning = SagaEngine.outageWarning(failedAttempt(1, away), Duration.ofSeconds(15));
        assertTrue(warning != null && warning.contains("tries its commit again for up to 15000 ms"), warning);
        assertNull(SagaEngine.outageWarning(failedAttempt(2, away), Duration.ofSeconds(15)));
    }

    private static Attempt<Object> failedAttempt(long number, RuntimeException failure) {
        return new Attempt<>() {
            @Override
            public Object get() throws ExecutionException {
                throw new ExecutionException(failure);
            }

            @Override
            public boolean hasResult() {
                return false;
            }

            @Override
            public boolean hasException() {
                return true;
            }

            @Override
            public Object getResult() {
                throw new IllegalStateException("the attempt failed");
            }

            @Override
            public Throwable getExceptionCause() {
                return failure;
            }

            @Override
            public long getAttemptNumber() {
                return number;
            }

            @Override
            public long getDelaySinceFirstAttempt() {
                return 0;
            }
        };
    }

    private static RuntimeException failedCommit(SQLException reason) {
        reason.addSuppressed(new SQLException("This connection has been closed.", "08003"));
        return new SagaLogUnavailableException(reason);
    }
}
