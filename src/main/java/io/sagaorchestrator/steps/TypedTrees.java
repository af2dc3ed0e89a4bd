package io.sagaorchestrator.steps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The records behind the JSON trees a saga passes from step to step (its input, each step's output), so that a run reads
 * each tree into its record once: the intent's description and the call of a step, and a later step that reads an
 * earlier one's output, all get the record made or read first. A tree is remembered by identity, for as long as
 * something still holds it (the run's snapshot does), so a saga read back from the log is decoded once per run.
 * The trees of a saga are never modified once made: the snapshot that holds them is immutable.
 */
public final class TypedTrees {

    private static final Cache<JsonNode, Object> RECORDS = Caffeine.newBuilder().weakKeys().build();

    private TypedTrees() {
    }

    /** {@code value} as a tree, remembered as the tree's record. */
    public static JsonNode write(Object value, ObjectMapper json) {
        JsonNode tree = json.valueToTree(value);
        RECORDS.put(tree, value);
        return tree;
    }

    /**
     * The record {@code tree} was made from, or read from it now.
     *
     * @throws IllegalArgumentException when the tree is not a {@code type}, saying what does not fit
     */
    public static <T> T read(JsonNode tree, Class<T> type, ObjectMapper json) {
        Object known = RECORDS.getIfPresent(tree);
        if (type.isInstance(known)) {
            return type.cast(known);
        }
        T value;
        try {
            value = json.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
        RECORDS.put(tree, value);
        return value;
    }
}
