package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.definitions.CompensationCheck;
import io.sagaorchestrator.steps.HttpFailures;
import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.OwnershipPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * {@code ttDeleteUser}: undoes {@code ttAddUser}, deleting the remote user only when this saga
 * created it. When the add's outcome was never learned, the add is re-issued first to learn the
 * id (TT has no look-up by username); a user it creates then is deleted right away. A user whose
 * ownership is uncertain is escalated, deleted or kept, as the step's {@code onUncertainOwnership} says.
 *
 * <p>Its output says whether it undid anything ({@code "undone"}, see {@link CompensationCheck}): a user it keeps needs no
 * check that it is gone (it must not be), so the definition's {@code verify:} is only made after a delete.
 */
@ApplicationScoped
@Named("ttDeleteUser")
public class TtDeleteUserAction implements RemoteAction {

    private final TtUserApi tt;
    private final TtAddUserAction add;
    private final ObjectMapper json;

    TtDeleteUserAction(@RestClient TtUserApi tt, TtAddUserAction add, ObjectMapper json) {
        this.tt = tt;
        this.add = add;
        this.json = json;
    }

    @Override
    public String thirdParty() {
        return TtAddUserAction.THIRD_PARTY;
    }

    @Override
    public JsonNode execute(StepContext context) {
        UserSyncInput in = UserSyncInput.of(context.input(), json);
        RemoteUser user = context.forwardOutput() != null
                ? RemoteUser.of(context.forwardOutput(), json)
                : add.register(in, context.sagaId(), true);
        return switch (user.ownership()) {
            case PRE_EXISTING -> json.createObjectNode().put("kept", user.remoteUserId())
                    .put(CompensationCheck.UNDONE_FIELD, false).put(CompensationCheck.REASON_FIELD, "kept: it existed before this saga: undoing the saga leaves the TT user in place"
                            + " and sends nothing");
            case UNCERTAIN -> uncertain(user, in, context.onUncertainOwnership());
            case CREATED -> delete(user.remoteUserId());
        };
    }

    /** The definition's choice ({@code onUncertainOwnership}) for a user that may be this saga's or somebody else's. */
    private JsonNode uncertain(RemoteUser user, UserSyncInput in, OwnershipPolicy policy) {
        String why = "TT user " + user.remoteUserId() + " (username " + in.username() + ") exists, but an earlier ttAddUser of"
                + " this saga lost its answer, so it cannot be told whether this saga created it";
        return switch (policy) {
            case ESCALATE -> throw new ManualRepairRequired(why + "; check in TT and delete it if nobody else uses it, then resolve"
                    + " the saga");
            case COMPENSATE -> ((ObjectNode) delete(user.remoteUserId())).put("ownership", user.ownership().name())
                    .put("reason", why + "; deleted as onUncertainOwnership: compensate asks");
            case KEEP -> json.createObjectNode().put("kept", user.remoteUserId()).put("ownership", user.ownership().name())
                    .put(CompensationCheck.UNDONE_FIELD, false).put(CompensationCheck.REASON_FIELD, why + "; left in place as onUncertainOwnership: keep asks");
        };
    }

    private JsonNode delete(String remoteUserId) {
        String token = add.authToken();
        TtUserApi.Answer answer;
        try {
            answer = tt.delete(token, remoteUserId);
        } catch (RuntimeException e) {
            throw HttpFailures.classify("ttDeleteUser", e);
        }
        if (answer == null || !"OK".equals(answer.status())) {
            throw TtFailures.unexpected("ttDeleteUser", answer);
        }
        // the id under the forward output's name too: a check whose forward answer was never learned reads it here
        return json.createObjectNode().put("deleted", remoteUserId).put("remoteUserId", remoteUserId)
                .put(CompensationCheck.UNDONE_FIELD, true);
    }

    /**
     * The DELETE that {@link #execute} would send, or null where it sends none: the intent and the compensation plan
     * must not claim a call for a user it keeps. Without the add's output the add is re-issued first, and only then
     * is it known whether a DELETE follows.
     */
    @Override
    public JsonNode describeRequest(StepContext context) {
        JsonNode forward = context.forwardOutput();
        if (forward == null) {
            return deleteRequest("(learned by re-issuing ttAddUser)");
        }
        RemoteUser user = RemoteUser.of(forward, json);
        boolean deletes = switch (user.ownership()) {
            case PRE_EXISTING -> false;
            case UNCERTAIN -> context.onUncertainOwnership() == OwnershipPolicy.COMPENSATE;
            case CREATED -> true;
        };
        return deletes ? deleteRequest(user.remoteUserId()) : null;
    }

    private JsonNode deleteRequest(String remoteUserId) {
        return json.createObjectNode().put("method", "DELETE").put("path", "/users/" + remoteUserId);
    }
}
