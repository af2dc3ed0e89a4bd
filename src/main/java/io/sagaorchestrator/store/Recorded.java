package io.sagaorchestrator.store;

import java.util.UUID;

/**
 * What recording a new saga did.
 *
 * @param holder the saga that holds the new saga's key, for {@link Kind#WAITING} and {@link Kind#KEY_HELD}; else null
 */
public record Recorded(Kind kind, UUID holder) {

    public enum Kind {
        /** Recorded, holding its key if it has one: it runs now (with its first intent, when its first step is remote). */
        CREATED,
        /** Recorded without an intent, waiting for {@code holder} to end; the commit that ends it hands the key on. */
        WAITING,
        /** Not recorded: the caller sent this idempotency key before. */
        DUPLICATE,
        /** Not recorded: {@code holder} holds the key and the definition refuses a second start meanwhile. */
        KEY_HELD
    }

    static final Recorded CREATED = new Recorded(Kind.CREATED, null);
    static final Recorded DUPLICATE = new Recorded(Kind.DUPLICATE, null);
}
