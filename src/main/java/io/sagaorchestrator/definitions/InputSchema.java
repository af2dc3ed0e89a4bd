package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The input a definition declares ({@code input:}): the body a start request must be. A field the schema does not
 * declare is refused rather than dropped: a misspelt optional field ({@code "curency"}) would otherwise start a saga
 * without it, and an action could not tell a value left out from a value mistyped.
 */
public record InputSchema(Map<String, InputField> fields) {

    /** One thing wrong with a body, in the shape every invalid-input answer of the API has. */
    public record Violation(String field, String message) {
    }

    public InputSchema {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Everything wrong with {@code body}, by field; empty when it may start the saga. */
    public List<Violation> validate(JsonNode body) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            return List.of(new Violation("body", "is required"));
        }
        if (!body.isObject()) {
            return List.of(new Violation("body", "must be a JSON object"));
        }
        List<Violation> violations = new ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!fields.containsKey(name)) {
                violations.add(new Violation(name, "is not an input of this saga (it takes: " + String.join(", ", fields.keySet()) + ")"));
            }
        });
        fields.values().forEach(field -> field.check(body.get(field.name()), violations));
        violations.sort(Comparator.comparing(Violation::field));
        return violations;
    }
}
