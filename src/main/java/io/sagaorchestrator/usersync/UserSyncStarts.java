package io.sagaorchestrator.usersync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.api.StartAnswers;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.engine.SagaEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.List;

/** Starts a user-sync saga (either way round) from a request, and answers with its outcome. */
@ApplicationScoped
public class UserSyncStarts {

    private final SagaEngine engine;
    private final DefinitionRegistry definitions;
    private final StartAnswers answers;
    private final ObjectMapper json;
    private final List<Integer> defaultRoleIds;
    private final SecurityIdentity caller;

    UserSyncStarts(SagaEngine engine, DefinitionRegistry definitions, StartAnswers answers, ObjectMapper json,
                   @ConfigProperty(name = "tt.default-role-ids", defaultValue = "3") List<Integer> defaultRoleIds,
                   SecurityIdentity caller) {
        this.engine = engine;
        this.definitions = definitions;
        this.answers = answers;
        this.json = json;
        this.defaultRoleIds = defaultRoleIds;
        this.caller = caller;
    }

    /** Starts for the authenticated caller, whose idempotency keys are its own. */
    public Response start(String definitionName, UserSyncRequest request, String idempotencyKey, int waitSeconds) {
        SagaDefinition definition = definitions.current(definitionName)
                .orElseThrow(() -> new IllegalStateException("saga-definitions/ has no '" + definitionName + "' definition"));
        String name = request.name().strip();
        UserSyncInput input = new UserSyncInput(name, request.phone(),
                request.roleIds() == null ? defaultRoleIds : request.roleIds(), Usernames.of(name, request.phone()));
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        SagaEngine.Started started = engine.start(definition, json.valueToTree(input), input.username(),
                caller.getPrincipal().getName(), idempotencyKey, Duration.ofSeconds(waitSeconds));
        return answers.await(started, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
