package io.sagaorchestrator.store;

import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.core.StepState;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.testsupport.CountingObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One commit writes each step output's JSON text once, into its attempt's response and into the step states. */
class LogJsonTest {

    private final CountingObjectMapper json = new CountingObjectMapper();

    @Test
    void anOutputWrittenAsAnAttemptsResponseIsNotSerialisedAgainForTheStepStates() throws Exception {
        // given: the commit of a step's success, which writes its output as the attempt's response first
        JsonNode added = json.createObjectNode().put("remoteUserId", "tt-1").put("ownership", "CREATED");
        JsonNode saved = json.createObjectNode().put("liaisonId", 7);
        LogJson commit = new LogJson(json);
        String response = commit.write(added);
        commit.write(saved);
        Map<String, StepState> states = new LinkedHashMap<>();
        states.put("tt-add-user", new StepState(Effect.DONE, added));
        states.put("save-liaison", new StepState(Effect.DONE, saved));
        states.put("undone", new StepState(Effect.COMPENSATED, null));

        // when: the saga's step states are written in the same commit
        String text = commit.stepStates(states);

        // then: the outputs were serialised once each, and the step states read back as they were
        assertEquals(2, json.writeValueAsString);
        assertEquals(added, json.readTree(response));
        assertEquals(states, json.readValue(text, new TypeReference<Map<String, StepState>>() {
        }));
    }
}
