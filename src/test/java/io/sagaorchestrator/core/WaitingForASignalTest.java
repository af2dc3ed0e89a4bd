package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@code await} step, in memory: a saga that reaches it without a signal waits (released, until its timeout); a signal
 * kept for it, early or late, is its output; an invalid one is refused and the saga keeps waiting; a refusal
 * ({@code rejectWhen}) compensates; a timeout compensates, escalates or goes on, as the step says.
 */
class WaitingForASignalTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    /** Reserve, wait up to 48 h for a manager's approval, then charge. */
    private static SagaDefinition definition(String onTimeout) {
        return new DefinitionParser(NamedActions.NONE).parse("approval.yaml", """
                name: approval
                version: 1
                steps:
                  - name: reserve
                    type: remote
                    http: { method: POST, target: shop, path: /reservations, output: { id: /id } }
                    compensation:
                      http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
                  - await:
                      name: manager-approval
                      signal: approval
                      payload: { approved: { type: boolean, required: true }, comment: { type: string, maxLength: 500 } }
                      timeout: PT48H
                      onTimeout: %s
                      rejectWhen: ${signal.approved == false}
                  - name: charge
                    type: remote
                    http: { method: POST, target: shop, path: /charges, body: { note: "${steps.manager-approval.output.comment}" } }
                    compensation:
                      http: { method: POST, target: shop, path: "/charges/${step.idempotencyKey}/refund" }
                """.formatted(onTimeout));
    }

    private static final SagaDefinition APPROVAL = definition("compensate");
    private static final JsonNode RESERVED = JsonNodeFactory.instance.objectNode().put("httpStatus", 201).put("id", "r-1");

    private static SagaSnapshot onReserve(SagaDefinition definition) {
        return new SagaSnapshot(UUID.randomUUID(), "approval", 1, definition.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode(), null, 0, 1, 0, Map.of(), 3, null, T0, null);
    }

    /** The saga as it stands on the await, its wait begun at T0 (stored with the commit that released it). */
    private static SagaSnapshot waiting(SagaDefinition definition) {
        SagaSnapshot onAwait = SagaTransitions.decide(definition, onReserve(definition), new Event.StepSucceeded(RESERVED)).next();
        return SagaTransitions.decide(definition, onAwait, new Event.NoSignalYet(T0)).next();
    }

    private static JsonNode approval(boolean approved, String comment) {
        return JsonNodeFactory.instance.objectNode().put("approved", approved).put("comment", comment);
    }

    @Test
    void aSagaThatReachesItsAwaitWithoutASignalWaitsReleasedUntilItsTimeout() {
        // given a saga whose reservation succeeded: it stands on the await
        SagaSnapshot onAwait = SagaTransitions.decide(APPROVAL, onReserve(APPROVAL), new Event.StepSucceeded(RESERVED)).next();
        assertEquals(1, onAwait.stepIndex());

        // when no signal is kept for it
        Decision decision = SagaTransitions.decide(APPROVAL, onAwait, new Event.NoSignalYet(T0));

        // then it waits for 'approval', due again in 48 h, and the end of its wait is stored with it
        Decision.Wait wait = assertInstanceOf(Decision.Wait.class, decision);
        assertEquals("approval", wait.signal());
        assertEquals(Duration.ofHours(48), wait.wakeIn());
        assertEquals(T0.plus(Duration.ofHours(48)), wait.next().stepDeadlineAt());
        assertEquals(SagaStatus.RUNNING, wait.next().status());
        assertNull(wait.next().stepState("manager-approval"));
    }

    @Test
    void aSagaWokenBeforeItsTimeoutWithoutASignalWaitsOnlyForWhatIsLeft() {
        // given a saga that waits since T0 (e.g. resumed by an operator, or after a restart)
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL), new Event.NoSignalYet(T0.plus(Duration.ofHours(47))));

        Decision.Wait wait = assertInstanceOf(Decision.Wait.class, decision);
        assertEquals(Duration.ofHours(1), wait.wakeIn());
        assertEquals(T0.plus(Duration.ofHours(48)), wait.next().stepDeadlineAt());
    }

    @Test
    void aSignalForAWaitingSagaIsTheStepsOutputAndTheSagaGoesOn() {
        // when the approval comes while it waits
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.SignalReceived("approval", "s-1", approval(true, "ok"), T0.plus(Duration.ofHours(2))));

        // then its payload is the step's output and the saga stands on charge, which reads it
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(2, next.next().stepIndex());
        assertEquals(Effect.DONE, next.next().stepState("manager-approval").effect());
        assertEquals(approval(true, "ok"), next.next().stepState("manager-approval").output());
    }

    @Test
    void aSignalSentBeforeTheSagaReachedItsAwaitIsTakenWithoutWaiting() {
        // given a saga that has just reached the await; a signal was kept for it while it reserved
        SagaSnapshot onAwait = SagaTransitions.decide(APPROVAL, onReserve(APPROVAL), new Event.StepSucceeded(RESERVED)).next();

        // when the engine finds it (before the saga ever waited: no wait has begun)
        Decision decision = SagaTransitions.decide(APPROVAL, onAwait,
                new Event.SignalReceived("approval", "early-1", approval(true, null), T0.minusSeconds(30)));

        // then it goes on at once
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(2, next.next().stepIndex());
    }

    @Test
    void aSecondSignalForAnAwaitAlreadyPassedIsRefusedAndChangesNothing() {
        // given the approval was taken: the saga stands on charge
        SagaSnapshot past = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.SignalReceived("approval", "s-1", approval(true, "ok"), T0)).next();

        // when the same signal is offered again
        Decision decision = SagaTransitions.decide(APPROVAL, past,
                new Event.SignalReceived("approval", "s-1", approval(true, "ok"), T0));

        // then it is refused and the saga stays as it was
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertEquals(past, refused.next());
        assertTrue(refused.reason().contains("does not wait for a signal"), refused.reason());
    }

    @Test
    void anInvalidSignalIsRefusedWithWhatIsWrongAndTheSagaKeepsWaiting() {
        SagaSnapshot waiting = waiting(APPROVAL);
        JsonNode noDecision = JsonNodeFactory.instance.objectNode().put("comment", "x".repeat(501));

        Decision decision = SagaTransitions.decide(APPROVAL, waiting,
                new Event.SignalReceived("approval", "bad-1", noDecision, T0.plusSeconds(5)));

        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertEquals(waiting, refused.next());
        assertTrue(refused.reason().contains("approved is required"), refused.reason());
        assertTrue(refused.reason().contains("comment must be at most 500 characters"), refused.reason());
    }

    @Test
    void aRefusalFailsTheAwaitAndUndoesWhatCameBefore() {
        // when the manager refuses
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.SignalReceived("approval", "no-1", approval(false, "too dear"), T0.plusSeconds(60)));

        // then the saga compensates the reservation, and says who refused
        Decision.Continue undo = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, undo.next().status());
        assertEquals(0, undo.next().stepIndex());
        assertTrue(undo.next().lastError().contains("refused by signal 'approval' (id no-1)"), undo.next().lastError());
        assertEquals(approval(false, "too dear"), undo.next().stepState("manager-approval").output());
    }

    @Test
    void aTimeoutThatCompensatesUndoesWhatCameBefore() {
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.NoSignalYet(T0.plus(Duration.ofHours(48))));

        Decision.Continue undo = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, undo.next().status());
        assertEquals(0, undo.next().stepIndex());
        assertTrue(undo.next().lastError().contains("no signal 'approval' came within 48h"), undo.next().lastError());
    }

    @Test
    void aTimeoutThatEscalatesLeavesItToAPerson() {
        SagaDefinition escalating = definition("escalate");

        Decision decision = SagaTransitions.decide(escalating, waiting(escalating),
                new Event.NoSignalYet(T0.plus(Duration.ofHours(49))));

        Decision.Escalate escalated = assertInstanceOf(Decision.Escalate.class, decision);
        assertEquals(SagaStatus.ESCALATED, escalated.next().status());
        assertEquals(1, escalated.next().stepIndex());
    }

    @Test
    void aTimeoutThatContinuesGoesOnWithATimedOutOutput() {
        SagaDefinition continuing = definition("continue");

        Decision decision = SagaTransitions.decide(continuing, waiting(continuing),
                new Event.NoSignalYet(T0.plus(Duration.ofHours(48))));

        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(2, next.next().stepIndex());
        assertEquals(SagaStatus.RUNNING, next.next().status());
        assertTrue(next.next().stepState("manager-approval").output().get("timedOut").asBoolean());
    }

    @Test
    void aSignalStoredAfterTheWaitRanOutComesTooLate() {
        // given the saga was down when its wait ran out, and a signal was stored after that
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.SignalReceived("approval", "late-1", approval(true, "ok"), T0.plus(Duration.ofHours(49))));

        // then the timeout stands
        Decision.Continue undo = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, undo.next().status());
    }

    @Test
    void aSignalStoredBeforeTheWaitRanOutIsTakenEvenWhenTheSagaWakesAfterIt() {
        // given the signal was stored while the saga was down, an hour before its wait ran out; the saga wakes later
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.SignalReceived("approval", "s-2", approval(true, "ok"), T0.plus(Duration.ofHours(47))));

        assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(2, decision.next().stepIndex());
    }

    @Test
    void theDeadlineOfTheAwaitIsItsTimeout() {
        // the engine's deadline check, run on a waiting saga past its wait, acts as the await says
        Decision decision = SagaTransitions.decide(definition("escalate"), waiting(definition("escalate")),
                new Event.DeadlinePassed(T0.plus(Duration.ofHours(48))));

        assertInstanceOf(Decision.Escalate.class, decision);
    }

    @Test
    void anOperatorsRetryOfASagaEscalatedByItsTimeoutWaitsAgainForAWholeTimeout() {
        SagaDefinition escalating = definition("escalate");
        SagaSnapshot escalated = SagaTransitions.decide(escalating, waiting(escalating),
                new Event.NoSignalYet(T0.plus(Duration.ofHours(48)))).next();

        Decision retried = SagaTransitions.decide(escalating, escalated, new Event.OperatorRetry(true));
        Decision.Park park = assertInstanceOf(Decision.Park.class, retried);
        assertEquals(SagaStatus.RUNNING, park.next().status());
        assertNull(park.next().stepDeadlineAt());

        Instant later = T0.plus(Duration.ofDays(3));
        Decision.Wait wait = assertInstanceOf(Decision.Wait.class,
                SagaTransitions.decide(escalating, park.next(), new Event.NoSignalYet(later)));
        assertEquals(later.plus(Duration.ofHours(48)), wait.next().stepDeadlineAt());
    }

    @Test
    void anOperatorMayGiveTheSignalsPayloadByHandWithSkip() {
        JsonNode byHand = approval(true, "approved on the phone");

        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL), new Event.OperatorSkip("manager-approval",
                byHand, java.util.Set.of(), false, false, false, "operator: approved on the phone"));

        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(2, park.next().stepIndex());
        assertEquals(byHand, park.next().stepState("manager-approval").output());
    }

    @Test
    void anOperatorsCompensationOfAWaitingSagaUndoesWhatCameBefore() {
        Decision decision = SagaTransitions.decide(APPROVAL, waiting(APPROVAL),
                new Event.OperatorCompensate(false, false, "operator: order withdrawn"));

        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(SagaStatus.COMPENSATING, park.next().status());
        assertEquals(0, park.next().stepIndex());
    }

    @Test
    void aRejectWhenThatIsNotCelIsRefusedWithFileAndLine() {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class, () -> new DefinitionParser(NamedActions.NONE)
                .parse("bad.yaml", """
                        name: bad
                        version: 1
                        steps:
                          - await:
                              name: approve
                              signal: approval
                              timeout: 1h
                              rejectWhen: signal.approved ==
                        """));
        assertTrue(e.getMessage().contains("bad.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("line 8"), e.getMessage());
        assertTrue(e.getMessage().contains("rejectWhen"), e.getMessage());
    }

    @Test
    void anUnknownOnTimeoutIsRefusedWithFileAndLine() {
        InvalidDefinitionException e = assertThrows(InvalidDefinitionException.class, () -> new DefinitionParser(NamedActions.NONE)
                .parse("bad.yaml", """
                        name: bad
                        version: 1
                        steps:
                          - await:
                              name: approve
                              signal: approval
                              timeout: 1h
                              onTimeout: shrug
                        """));
        assertTrue(e.getMessage().contains("line 8"), e.getMessage());
        assertTrue(e.getMessage().contains("compensate, escalate, continue"), e.getMessage());
    }
}
