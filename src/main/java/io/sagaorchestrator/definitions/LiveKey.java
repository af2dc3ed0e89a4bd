package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A definition's {@code key:}: at most one live saga per value, across every definition that declares the same key.
 * Two sagas that could touch the same remote resource (user-sync and user-sync-outbox, for one TT username) then never
 * run side by side, so one cannot delete what the other adopted. A saga holds its key from its start until it ends
 * (COMPLETED, COMPENSATED, RESOLVED); an ESCALATED saga keeps it until a person resolves it.
 *
 * @param template the key's text, with {@code ${input...}} references only: the key is known before any step runs
 * @param whileLive what a start does when another saga holds the key
 */
public record LiveKey(Template template, WhileLive whileLive) {

    /** What a second start for a held key does. */
    public enum WhileLive {
        /** It is recorded, and runs once the holder ended: the default, and what a saga dispatched by SQL always does. */
        WAIT,
        /** It is refused (409, naming the holder) and nothing is recorded. */
        REFUSE
    }

    /** The longest key kept: a key is an index entry, not a document. */
    public static final int MAX_LENGTH = 400;

    public LiveKey {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(whileLive, "whileLive");
        for (Reference r : template.references()) {
            if (r.root() != Reference.Root.INPUT || r.path().isEmpty()) {
                throw new IllegalArgumentException("key '" + template.text() + "' reads " + r.text()
                        + ": a key may read only the input (${input.<field>}), which is known before any step runs");
            }
        }
        if (template.references().isEmpty()) {
            throw new IllegalArgumentException("key '" + template.text() + "' reads no field of the input, so every saga would"
                    + " wait for the one before it; name what tells two sagas apart, e.g. tt-user:${input.username}");
        }
    }

    /** @throws IllegalArgumentException when the template is not well formed */
    public static LiveKey parse(String text, WhileLive whileLive) {
        return new LiveKey(Template.parse(text), whileLive);
    }

    /**
     * The key's value for a saga's input.
     *
     * @throws KeyNotInInputException when the input has no text or number at a field the key reads, or the key is too long
     */
    public String valueFor(JsonNode input) {
        StringBuilder key = new StringBuilder();
        for (Object part : template.parts()) {
            if (part instanceof Reference r) {
                JsonNode value = input;
                for (String field : r.path()) {
                    value = value == null ? null : value.get(field);
                }
                if (value == null || !value.isValueNode() || value.isNull() || value.asText().isEmpty()) {
                    throw new KeyNotInInputException(String.join(".", r.path()), "has no value, and the saga's key "
                            + template.text() + " reads it");
                }
                key.append(value.asText());
            } else {
                key.append(part);
            }
        }
        if (key.length() > MAX_LENGTH) {
            throw new KeyNotInInputException(template.references().get(0).path().get(0), "makes the saga's key "
                    + template.text() + " " + key.length() + " characters long; at most " + MAX_LENGTH + " are kept");
        }
        return key.toString();
    }
}
