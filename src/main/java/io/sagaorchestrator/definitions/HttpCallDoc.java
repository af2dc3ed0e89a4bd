package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/** The {@code http:} block of a step or compensation, as written in YAML (checked by {@link HttpCall#parse}). */
public record HttpCallDoc(String method, String target, String path, Map<String, String> headers, JsonNode body,
                          Map<String, String> output, Map<String, String> outcomes, OutcomeFieldDoc outcomeField,
                          Boolean idempotencyKey) {

    public record OutcomeFieldDoc(String pointer, Map<String, String> values) {
    }
}
