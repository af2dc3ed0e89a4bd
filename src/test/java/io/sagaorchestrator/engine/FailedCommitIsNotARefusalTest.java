package io.sagaorchestrator.engine;

import io.sagaorchestrator.actions.RejectedFailure;
import io.sagaorchestrator.actions.UnavailableFailure;
import io.sagaorchestrator.sagalog.SagaLogUnavailableException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the commit of a local step fails, the step's transaction ({@code SagaLog.inNewTransaction})
 * throws the driver's SQLException wrapped, with the failed rollback suppressed, as seen when the
 * database terminated the connection during the commit (DatabaseOutageIT).
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

    private static RuntimeException failedCommit(SQLException reason) {
        reason.addSuppressed(new SQLException("This connection has been closed.", "08003"));
        return new SagaLogUnavailableException(reason);
    }
}
