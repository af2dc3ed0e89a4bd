package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.TypedTrees;
import io.sagaorchestrator.web.SagaStarts;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/** Starts a user-sync saga (either way round) from a request, with the TT username derived, and answers with its outcome. */
@ApplicationScoped
public class UserSyncStarts {

    private final SagaStarts starts;
    private final DefinitionRegistry definitions;
    private final ObjectMapper json;
    private final List<Integer> defaultRoleIds;

    UserSyncStarts(SagaStarts starts, DefinitionRegistry definitions, ObjectMapper json,
                   @ConfigProperty(name = "tt.default-role-ids", defaultValue = "3") List<Integer> defaultRoleIds) {
        this.starts = starts;
        this.definitions = definitions;
        this.json = json;
        this.defaultRoleIds = defaultRoleIds;
    }

    public Response start(String definitionName, UserSyncRequest request, String idempotencyKey, int waitSeconds) {
        SagaDefinition definition = definitions.current(definitionName)
                .orElseThrow(() -> new IllegalStateException("saga-definitions/ has no '" + definitionName + "' definition"));
        String name = request.name().strip();
        UserSyncInput input = new UserSyncInput(name, request.phone(),
                request.roleIds() == null ? defaultRoleIds : request.roleIds(), Usernames.of(name, request.phone()));
        // the record stays with the tree: the run's steps read it without decoding the tree again
        return starts.start(definition, TypedTrees.write(input, json), input.username(), idempotencyKey, waitSeconds);
    }
}
