package io.sagaorchestrator.examples.shopsimulator;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Effects a third party makes once per idempotency key and undoes by that key, in memory: a stock reservation, a
 * card charge, a booked shipment. An undo leaves a mark, so a late repeat of the request it undid (a retry still in
 * flight when the saga compensated) cannot make the effect again; that is what lets a saga undo a call whose answer it
 * never got.
 */
final class KeyedEffects {

    enum State { MADE, UNDONE }

    record Effect(String id, String key, State state, Map<String, Object> details) {
        Effect undone() {
            return new Effect(id, key, State.UNDONE, details);
        }
    }

    /** What a request to make an effect came to. */
    sealed interface Outcome permits Made, Repeated, Refused {
    }

    record Made(Effect effect) implements Outcome {
    }

    /** The key was seen before: its effect as it stands, made or undone. */
    record Repeated(Effect effect) implements Outcome {
    }

    record Refused(String reason) implements Outcome {
    }

    private final String idPrefix;
    private final int maxEntries;
    private final Map<String, Effect> byKey = new ConcurrentHashMap<>();
    private long lastId;

    KeyedEffects(String idPrefix, int maxEntries) {
        this.idPrefix = idPrefix;
        this.maxEntries = maxEntries;
    }

    /**
     * Makes the effect for {@code key} unless it was made or undone before; {@code admit} sees the effects made so
     * far and may refuse this one (out of stock, card declined), which leaves no mark.
     */
    synchronized Outcome make(String key, Map<String, Object> details, Function<Iterable<Effect>, Optional<String>> admit) {
        Effect known = byKey.get(key);
        if (known != null) {
            return new Repeated(known);
        }
        if (byKey.size() >= maxEntries) {
            return new Refused("FULL");
        }
        Optional<String> refusal = admit.apply(byKey.values());
        if (refusal.isPresent()) {
            return new Refused(refusal.get());
        }
        Effect made = new Effect(idPrefix + (++lastId), key, State.MADE, Map.copyOf(details));
        byKey.put(key, made);
        return new Made(made);
    }

    /** Undoes the effect of {@code key}, or marks the key undone if its request has not arrived (yet). Idempotent. */
    synchronized Effect undo(String key) {
        return byKey.compute(key, (k, known) -> known == null ? new Effect(null, k, State.UNDONE, Map.of()) : known.undone());
    }

    Optional<Effect> find(String key) {
        return Optional.ofNullable(byKey.get(key));
    }
}
