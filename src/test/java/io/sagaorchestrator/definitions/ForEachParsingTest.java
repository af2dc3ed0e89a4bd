package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@code forEach:} is read into one branch per possible item, or refused with the file, the line and the fault. */
class ForEachParsingTest {

    private final DefinitionParser parser = new DefinitionParser(NamedActions.SHIPPED);

    /** A booking: take the seats of the input side by side, one call each, then confirm. */
    private static String booking(String forEach) {
        return """
                name: booking
                version: 1
                input:
                  flight: { type: string, required: true }
                  seats: { type: array, required: true, maxItems: 4 }
                steps:
                %s
                  - name: confirm
                    type: remote
                    http: { method: POST, target: airline, path: "/flights/${input.flight}/confirmations" }
                    compensation:
                      http: { method: DELETE, target: airline, path: "/confirmations/${step.idempotencyKey}" }
                """.formatted(forEach.indent(2).stripTrailing());
    }

    private static final String SEATS = """
            - forEach:
                name: seats
                items: ${input.seats}
                maxItems: 4
                maxConcurrency: 2
                step:
                  name: assign-seat
                  type: remote
                  http: { method: PUT, target: airline, path: "/flights/${input.flight}/seats/${item.number}", body: { passenger: "${item.passenger}", place: "${index}" }, output: { id: /id } }
                  compensation:
                    http: { method: DELETE, target: airline, path: "/flights/${input.flight}/seats/${item.number}" }
            """;

    private String refusal(String yaml) {
        return assertThrows(InvalidDefinitionException.class, () -> parser.parse("booking.yaml", yaml)).getMessage();
    }

    @Test
    void aForEachIsAGroupOfOneBranchPerPossibleItemNamedByItsIndex() {
        SagaDefinition d = parser.parse("booking.yaml", booking(SEATS));

        Group seats = d.groupAt(0);
        assertEquals("seats", seats.name());
        assertEquals(List.of("assign-seat[0]", "assign-seat[1]", "assign-seat[2]", "assign-seat[3]", "confirm"),
                d.steps().stream().map(StepDefinition::name).toList());
        assertEquals(2, seats.maxConcurrency());
        assertEquals(4, seats.forEach().maxItems());
        assertEquals("${input.seats}", seats.forEach().items().text());
        assertEquals(3, d.step(3).item().index());
        assertNull(d.step(4).item());
    }

    @Test
    void theListIsReadFromTheInputAndALongerOneIsRefusedWhenTheSagaStarts() throws Exception {
        SagaDefinition d = parser.parse("booking.yaml", booking(SEATS.replace("maxItems: 4", "maxItems: 3")));
        JsonNode four = new ObjectMapper().readTree("{\"flight\": \"LH1\", \"seats\": [{}, {}, {}, {}]}");

        assertEquals(List.of(new InputSchema.Violation("seats", "must hold at most 3 items (the maxItems of forEach 'seats'),"
                + " not 4")), d.inputViolations(four));
        assertEquals(3, d.groupAt(0).forEach().itemsOf(new ObjectMapper().readTree("{\"seats\": [1, 2, 3]}"), Map.of()).size());
    }

    @Test
    void itemAndIndexAreRefusedOutsideAForEach() {
        String fault = refusal(booking(SEATS).replace("/flights/${input.flight}/confirmations", "/flights/${item.number}"));

        assertTrue(fault.contains("${item.number} is the item of a forEach: it can only be used in the step a forEach runs"
                + " for each item"), fault);
    }

    @Test
    void aListThatIsNoReferenceOrReadsALaterStepIsRefusedOnItsLine() {
        assertEquals("Invalid saga definition booking.yaml, line 9, steps[0].forEach 'seats': forEach.items 'seats' must be"
                + " one reference to a list, e.g. ${input.seats} or ${steps.quote.output.lines}",
                refusal(booking(SEATS.replace("items: ${input.seats}", "items: seats"))));
        assertTrue(refusal(booking(SEATS.replace("${input.seats}", "${steps.confirm.output.seats}")))
                .contains("names step 'confirm', which is not an earlier step"));
    }

    @Test
    void maxItemsIsBoundedAndTheInputFieldMustBeAList() {
        assertTrue(refusal(booking(SEATS.replace("maxItems: 4", "maxItems: 80"))).contains("line 10, steps[0].forEach 'seats':"
                + " forEach.maxItems must be 1 to 50, got 80"));
        String notAList = refusal(booking(SEATS).replace("seats: { type: array, required: true, maxItems: 4 }",
                "seats: { type: string, required: true }"));
        assertTrue(notAList.contains("group 'seats' runs for each item of input.seats, which is declared as string: declare it"
                + " { type: array, maxItems: 4 }"), notAList);
    }

    @Test
    void theStepOfAForEachIsAnOrdinaryBranch() {
        String fault = refusal(booking(SEATS.replace("  name: assign-seat\n", "  name: assign-seat\n      when: input.flight != ''\n")));

        assertTrue(fault.contains("a branch has no condition of its own: put 'when' on the group"), fault);
    }
}
