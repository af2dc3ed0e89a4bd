package io.sagaorchestrator.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Objects;

/**
 * The user-sync saga's input as kept in the log. The username is derived once, when the saga
 * starts, and stored: a saga resumed by a newer release must call TT with the same username.
 */
public record UserSyncInput(String name, String phone, List<Integer> roleIds, String username) {

    public UserSyncInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phone, "phone");
        Objects.requireNonNull(username, "username");
        roleIds = List.copyOf(roleIds);
    }

    static UserSyncInput of(JsonNode input, ObjectMapper json) {
        return json.convertValue(input, UserSyncInput.class);
    }
}
