package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forEach, in memory: the core counts the items of its list when the saga moves onto it (or, reached any other way,
 * when the engine is about to run it), records the branches beyond the list skipped, runs the rest as a group, and
 * answers their outputs in the order of the list.
 */
class ForEachTest {

    /** Quote the booking (its answer lists the seats), then take each seat side by side: at most 3. */
    private static final SagaDefinition BOOKING = new DefinitionParser(NamedActions.NONE).parse("booking.yaml", """
            name: booking
            version: 1
            steps:
              - name: quote
                type: remote
                http: { method: POST, target: airline, path: /quotes, output: { seats: /seats } }
                compensation:
                  http: { method: DELETE, target: airline, path: "/quotes/${step.idempotencyKey}" }
              - forEach:
                  name: seats
                  items: ${steps.quote.output.seats}
                  maxItems: 3
                  step:
                    name: take-seat
                    type: remote
                    http: { method: PUT, target: airline, path: "/seats/${item}", output: { id: /id } }
                    compensation:
                      http: { method: DELETE, target: airline, path: "/seats/${item}" }
            """);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SagaSnapshot onTheQuote() {
        return new SagaSnapshot(UUID.randomUUID(), "booking", 1, BOOKING.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode(), null, 0, 1, 0, Map.of(), 2, null, Instant.EPOCH, null);
    }

    private static JsonNode quoted(String seats) throws Exception {
        return JSON.readTree("{\"httpStatus\": 201, \"seats\": " + seats + "}");
    }

    private static List<String> open(SagaSnapshot saga) {
        return SagaTransitions.openBranches(BOOKING, saga).stream().map(StepDefinition::name).toList();
    }

    @Test
    void theMoveOntoAForEachCountsItsItemsAndRecordsTheBranchesBeyondThemSkipped() throws Exception {
        // when the quote answers two seats
        SagaSnapshot saga = SagaTransitions.decide(BOOKING, onTheQuote(), new Event.StepSucceeded(quoted("[\"12A\", \"12B\"]"))).next();

        // then the saga stands on the forEach with two branches to run, the third skipped for want of an item
        assertEquals(1, saga.stepIndex());
        assertEquals(List.of("take-seat[0]", "take-seat[1]"), open(saga));
        StepState third = saga.stepState("take-seat[2]");
        assertEquals(Effect.SKIPPED, third.effect());
        assertEquals(2, third.output().get("count").asInt());
        assertFalse(SagaTransitions.untold(BOOKING, saga), "the items are counted");
    }

    @Test
    void theGroupAnswersItsItemsOutputsInTheOrderOfTheList() throws Exception {
        SagaSnapshot saga = SagaTransitions.decide(BOOKING, onTheQuote(), new Event.StepSucceeded(quoted("[\"12A\", \"12B\"]"))).next();
        saga = SagaTransitions.decide(BOOKING, saga, new Event.BranchSucceeded("take-seat[1]", JSON.readTree("{\"id\": \"b\"}"))).next();

        Decision done = SagaTransitions.decide(BOOKING, saga, new Event.BranchSucceeded("take-seat[0]", JSON.readTree("{\"id\": \"a\"}")));

        SagaSnapshot completed = assertInstanceOf(Decision.End.class, done).next();
        assertEquals(SagaStatus.COMPLETED, completed.status());
        assertEquals(JSON.readTree("[{\"id\": \"a\"}, {\"id\": \"b\"}]"), completed.result());
    }

    @Test
    void anEmptyListRunsNothingAndTheSagaGoesOn() throws Exception {
        Decision decision = SagaTransitions.decide(BOOKING, onTheQuote(), new Event.StepSucceeded(quoted("[]")));

        SagaSnapshot completed = assertInstanceOf(Decision.End.class, decision).next();
        assertEquals(SagaStatus.COMPLETED, completed.status());
        assertEquals(Effect.SKIPPED, completed.stepState("take-seat[0]").effect());
    }

    @Test
    void aListLongerThanItsBoundFailsTheForEachBeforeAnyItemRunsAndUndoesWhatCameBefore() throws Exception {
        // given a quote of four seats for a forEach of at most three: the move stops on the forEach, untold
        SagaSnapshot saga = SagaTransitions.decide(BOOKING, onTheQuote(),
                new Event.StepSucceeded(quoted("[\"1A\", \"1B\", \"1C\", \"1D\"]"))).next();
        assertEquals(1, saga.stepIndex());
        assertTrue(SagaTransitions.untold(BOOKING, saga));

        // when the engine is about to run it
        Decision decision = SagaTransitions.decide(BOOKING, saga, new Event.StepReached());

        // then no seat is taken: the quote is undone, and the error says why
        SagaSnapshot undoing = decision.next();
        assertEquals(SagaStatus.COMPENSATING, undoing.status());
        assertEquals("quote", BOOKING.step(undoing.stepIndex()).name());
        assertEquals("group seats: its items cannot be read, so none of them ran: ${steps.quote.output.seats} holds 4 items,"
                + " more than the 3 its forEach takes (maxItems)", undoing.lastError());
    }

    @Test
    void aForEachReachedByRecoveryCountsItsItemsBeforeItRunsKeepingItsAttempts() throws Exception {
        // given a saga found by recovery on the forEach, nothing of it recorded, one attempt made
        SagaSnapshot found = new SagaSnapshot(UUID.randomUUID(), "booking", 1, BOOKING.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode(), null, 1, 1, 0,
                Map.of("quote", new StepState(Effect.DONE, quoted("[\"12A\"]"))), 3, null, Instant.EPOCH, null);
        assertTrue(SagaTransitions.untold(BOOKING, found));

        // when the engine is about to run it
        SagaSnapshot told = SagaTransitions.decide(BOOKING, found, new Event.StepReached()).next();

        // then one item runs, and the saga stays where it was
        assertEquals(List.of("take-seat[0]"), open(told));
        assertEquals(1, told.stepIndex());
        assertEquals(1, told.attempt());
    }
}
