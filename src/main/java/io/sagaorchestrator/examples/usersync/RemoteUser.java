package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.TypedTrees;

import java.util.Objects;

/** The output of {@code ttAddUser}: the remote user and who owns it. */
public record RemoteUser(String remoteUserId, String remoteStatus, Ownership ownership) {

    public enum Ownership {
        CREATED,
        PRE_EXISTING,
        UNCERTAIN
    }

    public RemoteUser {
        Objects.requireNonNull(remoteUserId, "remoteUserId");
        Objects.requireNonNull(ownership, "ownership");
    }

    static RemoteUser of(JsonNode output, ObjectMapper json) {
        return TypedTrees.read(output, RemoteUser.class, json);
    }
}
