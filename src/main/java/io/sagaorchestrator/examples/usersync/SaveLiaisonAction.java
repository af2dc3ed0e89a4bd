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

/** {@code saveLiaison}: the local half of user-sync, the liaison and its link to the TT user, in the saga's transaction. */
@ApplicationScoped
@Named("saveLiaison")
public class SaveLiaisonAction implements LocalAction {

    static final String ADD_STEP = "tt-add-user";

    private final ObjectMapper json;

    SaveLiaisonAction(ObjectMapper json) {
        this.json = json;
    }

    /** deleteLiaison undoes the save by the liaison's id. */
    @Override
    public Set<String> outputFields() {
        return Set.of("liaisonId");
    }

    @Override
    public JsonNode execute(StepContext context, Connection connection) throws SQLException {
        JsonNode added = context.outputs().get(ADD_STEP);
        if (added == null) {
            throw new IllegalStateException("saveLiaison runs after " + ADD_STEP + ", whose output is missing");
        }
        RemoteUser remote = RemoteUser.of(added, json);
        long liaisonId = Liaisons.saveSynced(connection, UserSyncInput.of(context.input(), json), context.sagaId(), remote);
        return json.createObjectNode().put("liaisonId", liaisonId).put("remoteUserId", remote.remoteUserId());
    }
}
