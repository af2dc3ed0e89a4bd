package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.LocalAction;
import io.sagaorchestrator.steps.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * {@code deleteLiaison}: undoes {@code saveLiaison} when an operator compensates a completed
 * user-sync saga, so that the local rows go before the TT user does and the two never disagree.
 * Deleting what is already gone is fine: the same compensation may run again.
 */
@ApplicationScoped
@Named("deleteLiaison")
public class DeleteLiaisonAction implements LocalAction {

    private final ObjectMapper json;

    DeleteLiaisonAction(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public JsonNode execute(StepContext context, Connection connection) throws SQLException {
        JsonNode saved = context.forwardOutput();
        if (saved == null || !saved.hasNonNull("liaisonId")) {
            return json.createObjectNode().put("deleted", 0);
        }
        long liaisonId = saved.get("liaisonId").asLong();
        int deleted = Liaisons.delete(connection, liaisonId);
        return json.createObjectNode().put("deleted", deleted).put("liaisonId", liaisonId);
    }
}
