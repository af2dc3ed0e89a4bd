package io.sagaorchestrator.store;

import io.sagaorchestrator.core.StepState;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The JSON text of one transaction's writes to the log. A step's output goes into its attempt's response and into the
 * saga's step states in the same commit: its text is made once, by identity of the tree, and put into both.
 */
final class LogJson {

    private final ObjectMapper json;
    private final Map<JsonNode, String> texts = new IdentityHashMap<>();

    LogJson(ObjectMapper json) {
        this.json = json;
    }

    /** {@code value} as JSON text; null for null. */
    String write(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof JsonNode tree) {
            return texts.computeIfAbsent(tree, this::serialise);
        }
        return serialise(value);
    }

    /**
     * The step states as the log keeps them: {@code {"<step>": {"effect": "DONE", "output": {...}}}}, no output when none;
     * {@code "undo"} (the compensation's answer) only while its check is due.
     */
    String stepStates(Map<String, StepState> states) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, StepState> e : states.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("effect", e.getValue().effect().name());
                if (e.getValue().output() != null) {
                    g.writeFieldName("output");
                    g.writeRawValue(write(e.getValue().output()));
                }
                if (e.getValue().undo() != null) {
                    g.writeFieldName("undo");
                    g.writeRawValue(write(e.getValue().undo()));
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    private String serialise(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
