package io.sagaorchestrator.definitions;

import java.util.Set;

/** The actions a definition may name: the engine's beans, or a fixed set in tests. */
public interface KnownActions {
    Set<String> remoteActions();

    Set<String> localActions();
}
