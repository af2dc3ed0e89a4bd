package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A parallel group, in memory: what the core decides as its branches end one by one, while others are still in flight,
 * and what undoing, deadlines and an operator's requests make of a saga that stands on a group.
 */
class ParallelGroupTest {

    /** Reserve, then create the contact, the mailbox and the badge side by side, then confirm; each undone by its key. */
    private static final String YAML = """
            name: onboarding
            version: 1
            deadline: 1h
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations, output: { id: /id } }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
              - parallel:
                  name: accounts
                  when: input.amount >= 0
                  steps:
                    - name: contact
                      type: remote
                      http: { method: POST, target: crm, path: /contacts, output: { id: /id } }
                      compensation:
                        http: { method: DELETE, target: crm, path: "/contacts/${step.idempotencyKey}" }
                    - name: mailbox
                      type: remote
                      http: { method: POST, target: mail, path: /mailboxes, output: { id: /id } }
                      retry: { attempts: 4, inProcess: { attempts: 2 } }
                      compensation:
                        http: { method: DELETE, target: mail, path: "/mailboxes/${step.idempotencyKey}" }
                    - name: badge
                      type: remote
                      http: { method: POST, target: door, path: /badges }
                      compensation:
                        http: { method: DELETE, target: door, path: "/badges/${step.idempotencyKey}" }
              - name: confirm
                type: remote
                http: { method: POST, target: shop, path: /confirmations, body: { reservation: "${steps.reserve.output.id}" } }
                compensation:
                  http: { method: DELETE, target: shop, path: "/confirmations/${step.idempotencyKey}" }
            """;
    private static final SagaDefinition ONBOARDING = new DefinitionParser(NamedActions.NONE).parse("onboarding.yaml", YAML);
    private static final JsonNode OK = JsonNodeFactory.instance.objectNode().put("httpStatus", 201).put("id", "x-1");

    private static SagaSnapshot onTheGroup(double amount) {
        return new SagaSnapshot(UUID.randomUUID(), "onboarding", 1, ONBOARDING.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode().put("amount", amount), null, 1, 3, 0,
                Map.of("reserve", new StepState(Effect.DONE, OK)), 4, null, Instant.EPOCH, null);
    }

    private static SagaSnapshot decide(SagaSnapshot saga, Event event) {
        return SagaTransitions.decide(ONBOARDING, saga, event).next();
    }

    @Test
    void theBranchesAreOneGroupBetweenTheStepsAroundIt() {
        var group = ONBOARDING.groupAt(2);
        assertEquals("accounts", group.name());
        assertEquals(1, group.first());
        assertEquals(3, group.last());
        assertEquals(3, group.maxConcurrency(), "all branches at once unless the definition says otherwise");
        assertNull(ONBOARDING.groupAt(0));
        assertNull(ONBOARDING.groupAt(4));
    }

    @Test
    void theGroupSucceedsWhenItsLastBranchDoesAndTheSagaMovesPastIt() {
        // given two branches done
        SagaSnapshot saga = decide(decide(onTheGroup(5), new Event.BranchSucceeded("badge", OK)),
                new Event.BranchSucceeded("contact", OK));
        assertEquals(1, saga.stepIndex(), "a branch is open: the saga stays on the group");
        assertEquals(List.of("mailbox"), SagaTransitions.openBranches(ONBOARDING, saga).stream().map(s -> s.name()).toList());

        // when the last one succeeds
        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.BranchSucceeded("mailbox", OK));

        // then the saga stands on the step after the group, its attempts counted afresh
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(4, next.next().stepIndex());
        assertEquals(0, next.next().attempt());
        assertEquals(Effect.DONE, next.next().stepState("mailbox").effect());
    }

    @Test
    void aBranchRefusedWhileItsSiblingsWereInFlightUndoesEveryBranchThatMayHaveTakenEffectThenTheStepsBefore() {
        // given the contact done, the badge's answer lost (it may exist), and the mailbox refused
        SagaSnapshot saga = decide(onTheGroup(5), new Event.BranchSucceeded("contact", OK));
        saga = decide(saga, new Event.BranchAttemptFailed("badge", new UnknownOutcomeFailure("read timed out", null)));
        saga = decide(saga, new Event.BranchAttemptFailed("mailbox", new RejectedFailure("409 mailbox taken")));
        assertEquals(Effect.UNCERTAIN, saga.stepState("badge").effect());
        assertNull(saga.stepState("mailbox"), "a refusal took no effect");

        // when the branches in flight have ended and the group settles with the refusal
        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.GroupSettled(
                Map.of("mailbox", new RejectedFailure("409 mailbox taken")), Map.of("mailbox", 1), 0.5));

        // then the saga compensates from the group's last branch: the badge (it may exist) first
        Decision.Continue undo = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, undo.next().status());
        assertEquals("badge", ONBOARDING.step(undo.next().stepIndex()).name());
        assertTrue(undo.next().lastError().contains("group accounts: mailbox"), undo.next().lastError());

        // and after it the contact, never the refused mailbox, then the reservation before the group
        SagaSnapshot next = decide(undo.next(), new Event.StepSucceeded(null));
        assertEquals("contact", ONBOARDING.step(next.stepIndex()).name());
        next = decide(next, new Event.StepSucceeded(null));
        assertEquals("reserve", ONBOARDING.step(next.stepIndex()).name());
        Decision end = SagaTransitions.decide(ONBOARDING, next, new Event.StepSucceeded(null));
        assertEquals(SagaStatus.COMPENSATED, assertInstanceOf(Decision.End.class, end).next().status());
    }

    @Test
    void aBranchThatMayStillTryAgainParksTheGroupForItsBackoffKeepingWhatTheOthersDid() {
        // given the contact and the badge done and the mailbox's quick attempts spent on an outage, with budget left
        SagaSnapshot saga = decide(decide(onTheGroup(5), new Event.BranchSucceeded("contact", OK)),
                new Event.BranchSucceeded("badge", OK));
        saga = decide(saga, new Event.BranchAttemptFailed("mailbox", new UnavailableFailure("503", null)));

        // when the group settles
        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.GroupSettled(
                Map.of("mailbox", new UnavailableFailure("503", null)), Map.of("mailbox", 2), 0.5));

        // then the saga waits for the mailbox's backoff, on the group, with only the mailbox left open
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertTrue(park.wakeIn().compareTo(Duration.ZERO) > 0);
        assertEquals(1, park.next().stepIndex());
        assertEquals(SagaStatus.RUNNING, park.next().status());
        assertEquals(List.of("mailbox"), SagaTransitions.openBranches(ONBOARDING, park.next()).stream().map(s -> s.name()).toList());
    }

    @Test
    void aBranchWhoseBudgetIsSpentFailsTheGroup() {
        SagaSnapshot saga = decide(onTheGroup(5), new Event.BranchSucceeded("contact", OK));

        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.GroupSettled(
                Map.of("mailbox", new UnavailableFailure("503", null)), Map.of("mailbox", 4), 0.5));

        assertEquals(SagaStatus.COMPENSATING, decision.next().status());
        assertEquals("contact", ONBOARDING.step(decision.next().stepIndex()).name());
    }

    @Test
    void aFalseConditionSkipsEveryBranchOfTheGroup() {
        // given the reservation about to succeed, for an input the group's condition is false for
        SagaSnapshot saga = new SagaSnapshot(UUID.randomUUID(), "onboarding", 1, ONBOARDING.hash(), SagaStatus.RUNNING, null,
                JsonNodeFactory.instance.objectNode().put("amount", -1), null, 0, 1, 0, Map.of(), 3, null, Instant.EPOCH, null);

        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.StepSucceeded(OK));

        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(4, next.next().stepIndex());
        for (String branch : List.of("contact", "mailbox", "badge")) {
            assertEquals(Effect.SKIPPED, next.next().stepState(branch).effect(), branch);
        }
    }

    @Test
    void aDeadlineThatPassesOnTheGroupUndoesFromItsLastBranch() {
        SagaSnapshot saga = decide(onTheGroup(5), new Event.BranchAttemptFailed("badge", new UnknownOutcomeFailure("lost", null)))
                .withDeadlines(Instant.EPOCH.plusSeconds(10), null);

        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.DeadlinePassed(Instant.EPOCH.plusSeconds(11)));

        assertEquals(SagaStatus.COMPENSATING, decision.next().status());
        assertEquals("badge", ONBOARDING.step(decision.next().stepIndex()).name());
    }

    @Test
    void anOperatorSkipsOneBranchAndTheGroupGoesOnWithTheOthers() {
        SagaSnapshot saga = decide(onTheGroup(5), new Event.BranchSucceeded("contact", OK));
        JsonNode byHand = JsonNodeFactory.instance.objectNode().put("id", "m-by-hand");

        Decision skipped = SagaTransitions.decide(ONBOARDING, saga, new Event.OperatorSkip("mailbox", byHand, Set.of(),
                false, false, false, "ops: made by hand"));

        Decision.Park park = assertInstanceOf(Decision.Park.class, skipped);
        assertEquals(1, park.next().stepIndex(), "the badge is still open");
        assertEquals(byHand, park.next().stepState("mailbox").output());

        Decision refused = SagaTransitions.decide(ONBOARDING, park.next(), new Event.OperatorSkip("contact", byHand, Set.of(),
                false, false, false, "ops"));
        assertTrue(assertInstanceOf(Decision.Refused.class, refused).reason().contains("open branches are badge"),
                ((Decision.Refused) refused).reason());
    }

    @Test
    void anOperatorsUndoOfASagaOnTheGroupStartsFromBranchesInterruptedInFlight() {
        // given a group whose owner died with the mailbox and the badge in flight
        SagaSnapshot saga = SagaTransitions.interruptedBranches(ONBOARDING, decide(onTheGroup(5),
                new Event.BranchSucceeded("contact", OK)), Set.of("mailbox", "badge"));

        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.OperatorCompensate(false, false, "ops"));

        // then undoing starts at the badge, and the plan lists every branch that may have taken effect
        assertEquals("badge", ONBOARDING.step(decision.next().stepIndex()).name());
        CompensationPlan plan = CompensationPlan.of(ONBOARDING, saga, false, false, null, null, (s, step) -> null);
        assertEquals(List.of("badge", "mailbox", "contact", "reserve"), plan.steps().stream().filter(s -> s.undo())
                .map(CompensationPlan.Step::name).toList());
    }
}
