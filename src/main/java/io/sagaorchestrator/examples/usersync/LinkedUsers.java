package io.sagaorchestrator.examples.usersync;

import io.agroal.api.AgroalDataSource;
import io.sagaorchestrator.steps.UnavailableFailure;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Which TT users a liaison links already. ttAddUser asks when TT answers EXISTS after a lost answer: a user another saga
 * has linked predates this saga (see {@link TtAddUserAction}).
 */
@FunctionalInterface
public interface LinkedUsers {

    /**
     * Whether a saga other than {@code sagaId} has linked this TT user, which has this username, to a liaison.
     *
     * @throws UnavailableFailure when the database cannot tell: the attempt is tried again, as a lost answer is
     */
    boolean byAnotherSaga(String username, String remoteUserId, UUID sagaId);

    /** The answer of the liaisons' table. */
    @ApplicationScoped
    class InTheDatabase implements LinkedUsers {

        private final AgroalDataSource dataSource;

        InTheDatabase(AgroalDataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public boolean byAnotherSaga(String username, String remoteUserId, UUID sagaId) {
            try (Connection c = dataSource.getConnection()) {
                return Liaisons.linkedByAnotherSaga(c, username, remoteUserId, sagaId);
            } catch (SQLException e) {
                throw new UnavailableFailure("ttAddUser could not ask the database who linked TT user " + remoteUserId + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
