package io.sagaorchestrator.store;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Connections for reading the log on behalf of people (API searches, the console, the audit trail):
 * a small pool of their own whose statements PostgreSQL stops after {@code saga.reads.statement-timeout}.
 * However many expensive searches arrive, they wait for these few connections, never for the ones
 * that starts, the engine and recovery use.
 */
@ApplicationScoped
public class ReadConnections {

    /** PostgreSQL's SQLState for a statement cancelled by statement_timeout (or by a cancel request). */
    static final String QUERY_CANCELED = "57014";

    private final AgroalDataSource reads;
    private final String statementTimeout;

    ReadConnections(@DataSource("reads") AgroalDataSource reads,
                    @ConfigProperty(name = "saga.reads.statement-timeout") String statementTimeout) {
        this.reads = reads;
        this.statementTimeout = statementTimeout;
    }

    /** @throws SearchUnavailableException when every read connection stayed busy for the pool's acquisition timeout */
    public Connection open() {
        try {
            return reads.getConnection();
        } catch (SQLException e) {
            throw new SearchUnavailableException(SearchUnavailableException.Reason.BUSY,
                    "Every connection for reading the saga log is in use (or the database does not answer): try again in a moment.", e);
        }
    }

    /** What a failed read tells the person who asked: a search stopped for taking too long, or a failure of the service. */
    public RuntimeException failure(String what, SQLException e) {
        if (QUERY_CANCELED.equals(e.getSQLState())) {
            return new SearchUnavailableException(SearchUnavailableException.Reason.TIMED_OUT, "It ran longer than "
                    + statementTimeout + " and was stopped. Narrow it: add a status, a definition, a creation time range"
                    + " or a longer error text.", e);
        }
        return new IllegalStateException(what + ": " + e.getMessage(), e);
    }
}
