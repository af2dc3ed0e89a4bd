package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.HttpFailures;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.TypedTrees;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code ttAddUser}: creates the user in TT, or learns the id of the user who has the username.
 *
 * <p>Its output says who owns the remote user, which decides what compensation may do:
 * {@code CREATED} (this saga created it: undo deletes it), {@code PRE_EXISTING} (TT answered EXISTS
 * to an attempt whose predecessors certainly did nothing: somebody else's user, never deleted) or
 * {@code UNCERTAIN} (EXISTS after an attempt whose outcome was lost: it may be ours or somebody
 * else's, and TT offers no way to tell, so undoing it needs a person).
 *
 * <p>One case is told apart all the same: a user another saga has linked already (a SYNCED liaison names it) existed
 * before this saga. Both user-sync definitions hold the key {@code tt-user:<username>}, so that saga ended before this
 * one began, and this saga's lost attempt cannot have created what it linked. A person submitted twice then meets
 * their own user, and keeps it, instead of waiting for a person to tell.
 */
@ApplicationScoped
@Named("ttAddUser")
public class TtAddUserAction implements RemoteAction {

    static final String THIRD_PARTY = "tt-user-api";

    static final String APP_SECRET = "tt.app-secret";

    private final TtUserApi tt;
    private final ObjectMapper json;
    private final LinkedUsers linked;
    private final Optional<String> appSecret;
    private final String password;

    /**
     * The secret is optional here so that a service whose definitions never call TT starts without it: a definition
     * that calls this action needs it, which a production start and a saga's start check (ThirdPartyUrls).
     */
    TtAddUserAction(@RestClient TtUserApi tt, ObjectMapper json, LinkedUsers linked,
                    @ConfigProperty(name = APP_SECRET) Optional<String> appSecret,
                    @ConfigProperty(name = "tt.default-password") String defaultPassword) {
        this.tt = tt;
        this.json = json;
        this.linked = linked;
        this.appSecret = appSecret;
        this.password = AuthToken.md5Hex(defaultPassword);
    }

    @Override
    public String thirdParty() {
        return THIRD_PARTY;
    }

    @Override
    public JsonNode execute(StepContext context) {
        // the record stays with the tree, for save-liaison and the compensation of this run
        return TypedTrees.write(register(UserSyncInput.of(context.input(), json), context.sagaId(), context.earlierAttemptInDoubt()), json);
    }

    /**
     * save-liaison links the user by its id and keeps its TT status (a required column); ttDeleteUser asks who
     * owns it.
     */
    @Override
    public Set<String> outputFields() {
        return Set.of("remoteUserId", "remoteStatus", "ownership");
    }

    @Override
    public JsonNode describeRequest(StepContext context) {
        UserSyncInput in = UserSyncInput.of(context.input(), json);
        return json.createObjectNode().put("method", "POST").put("path", "/users")
                .set("body", json.valueToTree(new TtUserApi.NewUser(in.username(), "(redacted)", in.name(), in.phone(), in.roleIds())));
    }

    /** The remote user for the input's username, and whether this saga may delete it. */
    RemoteUser register(UserSyncInput in, UUID sagaId, boolean earlierAttemptInDoubt) {
        String token = authToken();
        TtUserApi.Answer answer;
        try {
            answer = tt.add(token, new TtUserApi.NewUser(in.username(), password, in.name(), in.phone(), in.roleIds()));
        } catch (RuntimeException e) {
            throw HttpFailures.classify("ttAddUser", e);
        }
        if (answer == null || answer.data() == null || answer.data().isBlank()) {
            throw TtFailures.unexpected("ttAddUser", answer);
        }
        return switch (answer.status()) {
            case "OK" -> new RemoteUser(answer.data(), answer.status(), RemoteUser.Ownership.CREATED);
            case "EXISTS" -> new RemoteUser(answer.data(), answer.status(),
                    earlierAttemptInDoubt && !linked.byAnotherSaga(in.username(), answer.data(), sagaId)
                            ? RemoteUser.Ownership.UNCERTAIN : RemoteUser.Ownership.PRE_EXISTING);
            default -> throw TtFailures.unexpected("ttAddUser", answer);
        };
    }

    String authToken() {
        return AuthToken.md5Hex(appSecret.orElseThrow(() -> new IllegalStateException(APP_SECRET
                + " is not configured; set TT_APP_SECRET (checked at a production start and at the start of a saga that calls TT)")));
    }
}
