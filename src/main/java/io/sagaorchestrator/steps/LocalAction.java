package io.sagaorchestrator.steps;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * A change to this service's own database. It runs inside the transaction that also records its
 * outcome in the saga log, so it is either done and logged, or neither: it never runs twice.
 *
 * <p>It writes through {@code connection}, the one the saga log's rows of this step go through, in
 * a plain JDBC transaction: a local step costs no JTA transaction and no Hibernate session. It must
 * not commit, roll back or change the connection's settings.
 *
 * <p>Implementations are CDI beans named with {@code @Named}: definitions refer to them by that name.
 */
public interface LocalAction {

    /**
     * Performs the change and returns what later steps and the saga's result need.
     *
     * @throws SQLException when the database refuses the change: the step's transaction rolls back,
     *         and its SQL state decides whether it is tried again or the saga compensates
     */
    JsonNode execute(StepContext context, Connection connection) throws SQLException;

    /** The fields of its output that later steps and its compensation read (see {@link RemoteAction#outputFields()}). */
    default Set<String> outputFields() {
        return Set.of();
    }
}
