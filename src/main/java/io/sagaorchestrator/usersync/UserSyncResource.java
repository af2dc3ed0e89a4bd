package io.sagaorchestrator.usersync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.api.StartAnswers;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.engine.SagaEngine;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.List;

/** Starts the user-sync saga: the user is created in TT, then saved locally, or undone. */
@Path("/api/sagas/user-sync")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("saga-client")
public class UserSyncResource {

    static final String DEFINITION = "user-sync";

    private final SagaEngine engine;
    private final SagaDefinition definition;
    private final StartAnswers answers;
    private final ObjectMapper json;
    private final List<Integer> defaultRoleIds;

    UserSyncResource(SagaEngine engine, DefinitionRegistry definitions, StartAnswers answers, ObjectMapper json,
                     @ConfigProperty(name = "tt.default-role-ids", defaultValue = "3") List<Integer> defaultRoleIds) {
        this.engine = engine;
        this.definition = definitions.current(DEFINITION)
                .orElseThrow(() -> new IllegalStateException("saga-definitions/ has no '" + DEFINITION + "' definition"));
        this.answers = answers;
        this.json = json;
        this.defaultRoleIds = defaultRoleIds;
    }

    /**
     * @param wait seconds to wait for the saga to end before answering 202
     * @param idempotencyKey the same key always answers for the same saga, never starts a second one
     */
    @POST
    public Response start(@NotNull(message = "is required") @Valid UserSyncRequest request,
                          @HeaderParam("Idempotency-Key") @Size(max = 200, message = "must be at most 200 characters") String idempotencyKey,
                          @QueryParam("wait") @DefaultValue("10") @Min(0) @Max(60) int wait) {
        String name = request.name().strip();
        UserSyncInput input = new UserSyncInput(name, request.phone(),
                request.roleIds() == null ? defaultRoleIds : request.roleIds(), Usernames.of(name, request.phone()));
        SagaEngine.Started started = engine.start(definition, json.valueToTree(input), input.username(), idempotencyKey);
        return answers.await(started, Duration.ofSeconds(wait));
    }
}
