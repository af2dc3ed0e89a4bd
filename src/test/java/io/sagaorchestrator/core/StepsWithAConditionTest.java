package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A step's {@code when:}, in memory: a false condition is recorded as skipped with the value it saw, and what follows
 * (compensation, recovery, an operator's retry) reads that record.
 */
class StepsWithAConditionTest {

    /** Reserve, charge only what is above zero, then confirm; each remote step undone by its key. */
    private static final String YAML = """
            name: checkout
            version: 1
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations, output: { id: /id } }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
              - name: charge
                type: remote
                when: input.amount > 0
                http: { method: POST, target: shop, path: /charges }
                compensation:
                  http: { method: POST, target: shop, path: "/charges/${step.idempotencyKey}/refund" }
              - name: confirm
                type: remote
                when: "steps.reserve.output.id != 'none'"
                http: { method: POST, target: shop, path: /confirmations }
                compensation:
                  http: { method: DELETE, target: shop, path: "/confirmations/${step.idempotencyKey}" }
            """;
    private static final SagaDefinition CHECKOUT = new DefinitionParser(NamedActions.NONE).parse("checkout.yaml", YAML);
    private static final JsonNode RESERVED = JsonNodeFactory.instance.objectNode().put("httpStatus", 201).put("id", "r-1");

    private static SagaSnapshot onReserve(double amount) {
        return new SagaSnapshot(UUID.randomUUID(), "checkout", 1, CHECKOUT.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode().put("amount", amount), null, 0, 1, 0, Map.of(), 3, null, Instant.EPOCH, null);
    }

    @Test
    void aFalseConditionSkipsTheStepAndRecordsTheValueItSaw() {
        // given a checkout of nothing to pay, on its first step; when the reservation succeeds
        Decision decision = SagaTransitions.decide(CHECKOUT, onReserve(0), new Event.StepSucceeded(RESERVED));

        // then charge is recorded as skipped, with its condition and what it gave, and the saga stands on confirm
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(2, next.next().stepIndex());
        StepState charge = next.next().stepState("charge");
        assertEquals(Effect.SKIPPED, charge.effect());
        assertEquals("input.amount > 0", charge.output().get("when").asText());
        assertEquals(false, charge.output().get("value").asBoolean(true));
    }

    @Test
    void aTrueConditionLeavesTheStepToRun() {
        Decision decision = SagaTransitions.decide(CHECKOUT, onReserve(12.5), new Event.StepSucceeded(RESERVED));

        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(1, next.next().stepIndex());
        assertNull(next.next().stepState("charge"));
    }

    @Test
    void whenTheLastStepsAreSkippedTheSagaCompletesWithTheLastOutputThatWasMade() {
        // given a reservation answered 'none', so that confirm's condition is false too
        JsonNode none = JsonNodeFactory.instance.objectNode().put("httpStatus", 201).put("id", "none");

        Decision decision = SagaTransitions.decide(CHECKOUT, onReserve(0), new Event.StepSucceeded(none));

        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.COMPLETED, end.next().status());
        assertEquals(none, end.next().result());
        assertEquals(Effect.SKIPPED, end.next().stepState("confirm").effect());
    }

    @Test
    void compensationPassesOverASkippedStep() {
        // given charge was skipped and confirm is rejected
        SagaSnapshot onConfirm = SagaTransitions.decide(CHECKOUT, onReserve(0), new Event.StepSucceeded(RESERVED)).next()
                .withAttempt(1);

        Decision decision = SagaTransitions.decide(CHECKOUT, onConfirm,
                new Event.StepFailed(new io.sagaorchestrator.steps.RejectedFailure("409"), 0.5));

        // then the saga undoes reserve only: the skipped charge has nothing to undo
        Decision.Continue undo = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, undo.next().status());
        assertEquals(0, undo.next().stepIndex());
        assertEquals(List.of(0), Compensations.inOrder(CHECKOUT, undo.next().stepStates(), 2));
    }

    @Test
    void theRecordedSkipIsFollowedNotToldAgain() {
        // given a saga whose charge was recorded as skipped while the amount was 0, read back with another amount
        SagaSnapshot recorded = SagaTransitions.decide(CHECKOUT, onReserve(0), new Event.StepSucceeded(RESERVED)).next();
        SagaSnapshot changed = new SagaSnapshot(recorded.id(), "checkout", 1, CHECKOUT.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode().put("amount", 99), null, 1, 0, 0, recorded.stepStates(), 4, null,
                Instant.EPOCH, null);

        // when the engine reaches charge again (recovery put it back there), then it is not run: the record stands
        Decision decision = SagaTransitions.decide(CHECKOUT, changed, new Event.StepReached());
        assertEquals(1, decision.next().stepIndex());
        assertEquals(Effect.SKIPPED, decision.next().stepState("charge").effect());
    }

    @Test
    void aStepReachedWithoutItsConditionToldIsToldThen() {
        // given a saga put back on charge by an operator's retry, its condition never recorded
        SagaSnapshot onCharge = new SagaSnapshot(UUID.randomUUID(), "checkout", 1, CHECKOUT.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode().put("amount", 0), null, 1, 0, 0,
                Map.of("reserve", new StepState(Effect.DONE, RESERVED)), 4, null, Instant.EPOCH, null);

        // when the engine is about to run it, then the core tells the condition and moves on past it
        Decision decision = SagaTransitions.decide(CHECKOUT, onCharge, new Event.StepReached());
        assertEquals(2, decision.next().stepIndex());
        assertEquals(Effect.SKIPPED, decision.next().stepState("charge").effect());
    }

    @Test
    void aConditionThatCannotBeToldUndoesWhatRanBeforeIt() {
        // given an input without the amount the condition reads
        SagaSnapshot saga = new SagaSnapshot(UUID.randomUUID(), "checkout", 1, CHECKOUT.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode(), null, 0, 1, 0, Map.of(), 3, null, Instant.EPOCH, null);

        // when reserve succeeds, the move stops on charge; when the engine is about to run charge
        Decision moved = SagaTransitions.decide(CHECKOUT, saga, new Event.StepSucceeded(RESERVED));
        assertInstanceOf(Decision.Continue.class, moved);
        assertEquals(1, moved.next().stepIndex());
        Decision decision = SagaTransitions.decide(CHECKOUT, moved.next(), new Event.StepReached());

        // then charge fails before it runs, and reserve is undone
        assertEquals(SagaStatus.COMPENSATING, decision.next().status());
        assertEquals(0, decision.next().stepIndex());
        assertTrue(decision.next().lastError().startsWith("charge: its condition cannot be told, so it did not run: when:"
                + " 'input.amount > 0' cannot be evaluated"), decision.next().lastError());
    }

    @Test
    void aConditionIsCheckedWhenTheDefinitionIsReadWithItsLine() {
        String bad = YAML.replace("when: input.amount > 0", "when: input.amount >");

        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> new DefinitionParser(NamedActions.NONE).parse("checkout.yaml", bad));
        assertEquals(11, e.line(), e.getMessage());
        assertTrue(e.fault().startsWith("when: 'input.amount >' is not a CEL condition over input and steps"), e.fault());
    }

    @Test
    void theFirstStepAlwaysRuns() {
        String first = YAML.replace("    type: remote\n    http: { method: POST, target: shop, path: /reservations",
                "    type: remote\n    when: input.amount > 0\n    http: { method: POST, target: shop, path: /reservations");

        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> new DefinitionParser(NamedActions.NONE).parse("checkout.yaml", first));
        assertTrue(e.fault().contains("the first step always runs"), e.fault());
    }

    @Test
    void aLaterCallMayNotReadTheOutputOfAStepThatMayBeSkipped() {
        String reads = YAML.replace("path: /confirmations }", "path: /confirmations, body: { charge: \"${steps.charge.output.httpStatus}\" } }");

        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class,
                () -> new DefinitionParser(NamedActions.NONE).parse("checkout.yaml", reads));
        assertTrue(e.fault().contains("step 'confirm' reads the output of step 'charge', which runs only when input.amount > 0"),
                e.fault());
    }
}
