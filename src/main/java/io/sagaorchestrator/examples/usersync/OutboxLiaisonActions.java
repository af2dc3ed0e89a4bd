package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.LocalAction;
import io.sagaorchestrator.steps.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The local steps of user-sync-outbox, the saga the other way round: the liaison is saved first
 * (PENDING), TT is called after that commit, and the liaison is then linked to its TT user, or
 * marked REJECTED when TT refuses the user for good.
 */
final class OutboxLiaisonActions {

    static final String SAVE_STEP = "save-liaison";
    static final String ADD_STEP = "tt-add-user";

    private OutboxLiaisonActions() {
    }

    /** {@code saveLiaisonPending}: the liaison as the user entered it, not in TT yet. */
    @ApplicationScoped
    @Named("saveLiaisonPending")
    static class SavePending implements LocalAction {
        private final ObjectMapper json;

        SavePending(ObjectMapper json) {
            this.json = json;
        }

        /** markLiaisonRejected and linkLiaison find the row by its id. */
        @Override
        public Set<String> outputFields() {
            return Set.of("liaisonId");
        }

        @Override
        public JsonNode execute(StepContext context, Connection connection) throws SQLException {
            long liaisonId = Liaisons.savePending(connection, UserSyncInput.of(context.input(), json));
            return json.createObjectNode().put("liaisonId", liaisonId);
        }
    }

    /**
     * {@code markLiaisonRejected}: undoes the pending save by keeping the row, marked REJECTED with
     * the saga that failed, so a person can correct the data and start again; deleting it would
     * lose what the user entered without a trace.
     */
    @ApplicationScoped
    @Named("markLiaisonRejected")
    static class MarkRejected implements LocalAction {
        private final ObjectMapper json;

        MarkRejected(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public JsonNode execute(StepContext context, Connection connection) throws SQLException {
            long liaisonId = context.forwardOutput().get("liaisonId").asLong();
            Liaisons.markRejected(connection, liaisonId, "TT did not take the user; saga " + context.sagaId() + " has the details");
            return json.createObjectNode().put("liaisonId", liaisonId).put("syncStatus", "REJECTED");
        }
    }

    /** {@code linkLiaison}: the liaison gets its TT user id and the link row, and is SYNCED. */
    @ApplicationScoped
    @Named("linkLiaison")
    static class Link implements LocalAction {
        private final ObjectMapper json;

        Link(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public JsonNode execute(StepContext context, Connection connection) throws SQLException {
            long liaisonId = context.outputs().get(SAVE_STEP).get("liaisonId").asLong();
            RemoteUser remote = RemoteUser.of(context.outputs().get(ADD_STEP), json);
            Liaisons.link(connection, liaisonId, context.sagaId(), remote);
            return json.createObjectNode().put("liaisonId", liaisonId).put("remoteUserId", remote.remoteUserId());
        }
    }
}
