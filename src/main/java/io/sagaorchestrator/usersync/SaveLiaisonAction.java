package io.sagaorchestrator.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.actions.LocalAction;
import io.sagaorchestrator.actions.StepContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import java.time.Instant;

/** {@code saveLiaison}: the local half of user-sync, the liaison and its link to the TT user, in the saga's transaction. */
@ApplicationScoped
@Named("saveLiaison")
public class SaveLiaisonAction implements LocalAction {

    static final String ADD_STEP = "tt-add-user";

    private final ObjectMapper json;

    SaveLiaisonAction(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public JsonNode execute(StepContext context) {
        UserSyncInput in = UserSyncInput.of(context.input(), json);
        JsonNode added = context.outputs().get(ADD_STEP);
        if (added == null) {
            throw new IllegalStateException("saveLiaison runs after " + ADD_STEP + ", whose output is missing");
        }
        RemoteUser remote = json.convertValue(added, RemoteUser.class);
        Instant now = Instant.now();

        LiaisonInfo liaison = new LiaisonInfo();
        liaison.name = in.name();
        liaison.phone = in.phone();
        liaison.username = in.username();
        liaison.remoteUserId = remote.remoteUserId();
        liaison.createdAt = now;
        liaison.persist();

        LzLiaison link = new LzLiaison();
        link.liaisonId = liaison.id;
        link.sagaId = context.sagaId();
        link.remoteUserId = remote.remoteUserId();
        link.remoteStatus = remote.remoteStatus();
        link.createdAt = now;
        link.persist();

        return json.createObjectNode().put("liaisonId", liaison.id).put("remoteUserId", remote.remoteUserId());
    }
}
