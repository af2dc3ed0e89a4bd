package io.sagaorchestrator.runtime;

import java.util.UUID;

/** A start refused because another saga holds the definition's key ({@code onLiveKey: refuse}); nothing was recorded. */
public final class LiveKeyHeldException extends RuntimeException {

    private final String key;
    private final UUID holder;

    public LiveKeyHeldException(String definition, String key, UUID holder) {
        super("Saga " + holder + " holds the key " + key + " and has not ended; " + definition + " runs one saga per key at a"
                + " time and refuses a second start meanwhile. Look at that saga, or start again once it has ended");
        this.key = key;
        this.holder = holder;
    }

    public String key() {
        return key;
    }

    public UUID holder() {
        return holder;
    }
}
