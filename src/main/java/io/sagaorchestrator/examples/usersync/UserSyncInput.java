package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.TypedTrees;

import java.util.List;
import java.util.Objects;

/**
 * The user-sync saga's input as kept in the log. The username is derived once, when the saga
 * starts, and stored: a saga resumed by a newer release must call TT with the same username.
 */
public record UserSyncInput(String name, String phone, List<Integer> roleIds, String username) {

    public UserSyncInput {
        // a saga dispatched with SQL carries whatever input its application wrote: say what is missing
        Objects.requireNonNull(name, "the input has no name");
        Objects.requireNonNull(phone, "the input has no phone");
        Objects.requireNonNull(username, "the input has no username");
        roleIds = List.copyOf(Objects.requireNonNull(roleIds, "the input has no roleIds"));
    }

    /** The input of the saga, read once per run (see {@link TypedTrees}). */
    static UserSyncInput of(JsonNode input, ObjectMapper json) {
        return TypedTrees.read(input, UserSyncInput.class, json);
    }
}
