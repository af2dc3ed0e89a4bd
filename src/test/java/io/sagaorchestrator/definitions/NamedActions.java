package io.sagaorchestrator.definitions;

import java.util.Set;

/** Actions known by name only, for reading definitions without Quarkus. */
public record NamedActions(Set<String> remoteActions, Set<String> localActions) implements KnownActions {

    /** The action beans the shipped definitions name. */
    public static final NamedActions SHIPPED = new NamedActions(Set.of("ttAddUser", "ttDeleteUser"),
            Set.of("saveLiaison", "deleteLiaison", "saveLiaisonPending", "markLiaisonRejected", "linkLiaison"));

    /** No action bean: definitions whose steps all declare their calls. */
    public static final NamedActions NONE = new NamedActions(Set.of(), Set.of());
}
