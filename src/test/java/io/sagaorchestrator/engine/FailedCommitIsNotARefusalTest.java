package io.sagaorchestrator.engine;

import io.sagaorchestrator.actions.RejectedFailure;
import io.sagaorchestrator.actions.UnavailableFailure;
import io.sagaorchestrator.sagalog.LeaseLostException;
import io.sagaorchestrator.sagalog.SagaLogUnavailableException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

    private static RuntimeException failedCommit(SQLException reason) {
        reason.addSuppressed(new SQLException("This connection has been closed.", "08003"));
        return new SagaLogUnavailableException(reason);
    }
}
