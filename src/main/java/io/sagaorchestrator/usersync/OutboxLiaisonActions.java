package io.sagaorchestrator.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.actions.LocalAction;
import io.sagaorchestrator.actions.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import java.time.Instant;

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

        @Override
        public JsonNode execute(StepContext context) {
            UserSyncInput in = UserSyncInput.of(context.input(), json);
            LiaisonInfo liaison = new LiaisonInfo();
            liaison.name = in.name();
            liaison.phone = in.phone();
            liaison.username = in.username();
            liaison.syncStatus = "PENDING";
            liaison.createdAt = Instant.now();
            liaison.persist();
            return json.createObjectNode().put("liaisonId", liaison.id);
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
        public JsonNode execute(StepContext context) {
            long liaisonId = context.forwardOutput().get("liaisonId").asLong();
            LzLiaison.delete("liaisonId", liaisonId);
            LiaisonInfo.update("syncStatus = 'REJECTED', remoteUserId = null, syncError = ?1 where id = ?2",
                    "TT did not take the user; saga " + context.sagaId() + " has the details", liaisonId);
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
        public JsonNode execute(StepContext context) {
            long liaisonId = context.outputs().get(SAVE_STEP).get("liaisonId").asLong();
            RemoteUser remote = json.convertValue(context.outputs().get(ADD_STEP), RemoteUser.class);
            LiaisonInfo.update("syncStatus = 'SYNCED', remoteUserId = ?1, syncError = null where id = ?2", remote.remoteUserId(), liaisonId);
            LzLiaison link = new LzLiaison();
            link.liaisonId = liaisonId;
            link.sagaId = context.sagaId();
            link.remoteUserId = remote.remoteUserId();
            link.remoteStatus = remote.remoteStatus();
            link.createdAt = Instant.now();
            link.persist();
            return json.createObjectNode().put("liaisonId", liaisonId).put("remoteUserId", remote.remoteUserId());
        }
    }
}
