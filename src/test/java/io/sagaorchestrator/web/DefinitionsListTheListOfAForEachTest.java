package io.sagaorchestrator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.definitions.BookingWithAForEach;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.SignupWithAGroup;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code GET /api/definitions} lists a forEach as a group that also says which list it runs over, and how long it may be. */
class DefinitionsListTheListOfAForEachTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode group(SagaDefinition d) {
        return JSON.valueToTree(DefinitionsResource.view(d, d.groups().get(0)));
    }

    @Test
    void aForEachGivesItsItemsAndMaxItemsBesideItsBranches() {
        JsonNode seats = group(BookingWithAForEach.withForEachKeys(""));

        assertEquals("${input.seats}", seats.get("items").asText());
        assertEquals(3, seats.get("maxItems").asInt());
        assertEquals(List.of("assign-seat[0]", "assign-seat[1]", "assign-seat[2]"),
                JSON.convertValue(seats.get("branches"), List.class));
    }

    @Test
    void aParallelGroupGivesNeither() {
        JsonNode accounts = group(SignupWithAGroup.withGroupKeys(""));

        assertFalse(accounts.has("items"), accounts.toString());
        assertFalse(accounts.has("maxItems"), accounts.toString());
    }
}
