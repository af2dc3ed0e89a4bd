package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group undone side by side ({@code compensation: parallel}), in memory: compensation that reaches it undoes every branch
 * that took effect at once, waits for all of them, and only then goes on to the steps before; an undo that gives up
 * escalates once its siblings' have ended.
 */
class GroupUndoneSideBySideTest {

    /** Reserve, then the contact, the mailbox and the badge side by side (undone side by side), then confirm. */
    private static final String YAML = """
            name: onboarding
            version: 1
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
              - parallel:
                  name: accounts
                  compensation: parallel
                  steps:
                    - name: contact
                      type: remote
                      http: { method: POST, target: crm, path: /contacts }
                      compensation:
                        http: { method: DELETE, target: crm, path: "/contacts/${step.idempotencyKey}" }
                    - name: mailbox
                      type: remote
                      http: { method: POST, target: mail, path: /mailboxes }
                      compensation:
                        http: { method: DELETE, target: mail, path: "/mailboxes/${step.idempotencyKey}" }
                      compensationRetry: { attempts: 3 }
                    - name: badge
                      type: remote
                      http: { method: POST, target: door, path: /badges }
                      compensation:
                        http: { method: DELETE, target: door, path: "/badges/${step.idempotencyKey}" }
              - name: confirm
                type: remote
                http: { method: POST, target: shop, path: /confirmations }
                compensation:
                  http: { method: DELETE, target: shop, path: "/confirmations/${step.idempotencyKey}" }
            """;
    private static final SagaDefinition ONBOARDING = new DefinitionParser(NamedActions.NONE).parse("onboarding.yaml", YAML);
    private static final JsonNode OK = JsonNodeFactory.instance.objectNode().put("httpStatus", 201);

    /** Every step before confirm took effect, but the badge's answer was lost: confirm is refused. */
    private static Decision confirmRefused() {
        SagaSnapshot onConfirm = new SagaSnapshot(UUID.randomUUID(), "onboarding", 1, ONBOARDING.hash(), SagaStatus.RUNNING,
                null, JsonNodeFactory.instance.objectNode(), null, 4, 1, 0, Map.of(
                "reserve", new StepState(Effect.DONE, OK), "contact", new StepState(Effect.DONE, OK),
                "mailbox", new StepState(Effect.DONE, OK), "badge", new StepState(Effect.UNCERTAIN, null)),
                6, null, Instant.EPOCH, null);
        return SagaTransitions.decide(ONBOARDING, onConfirm, new Event.StepFailed(new RejectedFailure("409 closed"), 0.5));
    }

    private static SagaSnapshot decide(SagaSnapshot saga, Event event) {
        return SagaTransitions.decide(ONBOARDING, saga, event).next();
    }

    private static List<String> toRun(SagaSnapshot saga) {
        return SagaTransitions.branchesToRun(ONBOARDING, saga).stream().map(StepDefinition::name).toList();
    }

    @Test
    void compensationThatReachesTheGroupUndoesEveryBranchThatMayHaveTakenEffectAtOnce() {
        // when confirm is refused
        SagaSnapshot saga = confirmRefused().next();

        // then the saga compensates, standing on the group, which it runs as one: all three branches, the uncertain one too
        assertEquals(SagaStatus.COMPENSATING, saga.status());
        assertEquals("accounts", SagaTransitions.groupRunAsOne(ONBOARDING, saga).name());
        assertEquals(List.of("contact", "mailbox", "badge"), toRun(saga));
    }

    @Test
    void theStepsBeforeTheGroupAreUndoneOnlyOnceEveryBranchIs() {
        // given the badge and the contact undone, in the order their undos answered
        SagaSnapshot saga = decide(decide(confirmRefused().next(), new Event.BranchSucceeded("badge", OK)),
                new Event.BranchSucceeded("contact", OK));
        assertEquals(List.of("mailbox"), toRun(saga), "the mailbox is still to undo: the saga stays on the group");
        assertEquals(Effect.COMPENSATED, saga.stepState("badge").effect());
        assertEquals(OK, saga.stepState("contact").output(), "an undone branch keeps what it answered going forward");

        // when the mailbox's undo succeeds too
        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.BranchSucceeded("mailbox", OK));

        // then compensation moves to the step before the group, one step at a time again
        SagaSnapshot next = assertInstanceOf(Decision.Continue.class, decision).next();
        assertEquals(0, next.stepIndex());
        assertEquals(SagaStatus.COMPENSATING, next.status());
        assertNull(SagaTransitions.groupRunAsOne(ONBOARDING, next));
    }

    @Test
    void anUndoThatGivesUpEscalatesOnceItsSiblingsHaveEndedNamingIt() {
        // given the contact undone, the badge's undo refused, while the mailbox's ended in success
        SagaSnapshot saga = decide(confirmRefused().next(), new Event.BranchSucceeded("contact", OK));
        saga = decide(saga, new Event.BranchAttemptFailed("badge", new RejectedFailure("403 badge locked")));
        saga = decide(saga, new Event.BranchSucceeded("mailbox", OK));
        assertEquals(Effect.UNCERTAIN, saga.stepState("badge").effect(), "a failed undo leaves the branch as it was");

        // when the group settles
        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.GroupSettled(
                Map.of("badge", new RejectedFailure("403 badge locked")), Map.of("badge", 1), 0.5));

        // then a person must decide; what the siblings undid stays undone, and the reserve was not touched
        SagaSnapshot escalated = assertInstanceOf(Decision.Escalate.class, decision).next();
        assertEquals(SagaStatus.ESCALATED, escalated.status());
        assertTrue(escalated.lastError().startsWith("group accounts, undone side by side: badge"), escalated.lastError());
        assertTrue(escalated.lastError().contains("403 badge locked"), escalated.lastError());
        assertEquals(Effect.COMPENSATED, escalated.stepState("mailbox").effect());
        assertEquals(Effect.DONE, escalated.stepState("reserve").effect());
    }

    @Test
    void anUndoThatMayTryAgainParksTheGroupAndItsNextRunUndoesOnlyWhatIsLeft() {
        // given every undo succeeded but the mailbox's, whose third party was down, with its budget of 3 not spent
        SagaSnapshot saga = decide(decide(confirmRefused().next(), new Event.BranchSucceeded("contact", OK)),
                new Event.BranchSucceeded("badge", OK));
        saga = decide(saga, new Event.BranchAttemptFailed("mailbox", new UnavailableFailure("503", null)));

        // when the group settles
        Decision decision = SagaTransitions.decide(ONBOARDING, saga, new Event.GroupSettled(
                Map.of("mailbox", new UnavailableFailure("503", null)), Map.of("mailbox", 1), 0.5));

        // then the saga waits out the mailbox's backoff on the group; its next run undoes the mailbox alone
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertTrue(park.wakeIn().compareTo(Duration.ZERO) > 0);
        assertEquals(SagaStatus.COMPENSATING, park.next().status());
        assertEquals(List.of("mailbox"), toRun(park.next()));
    }

    @Test
    void anUndoWhoseOwnerStoppedInFlightIsMadeAgain() {
        // given the contact's undo interrupted (its owner died between its intent and its answer)
        SagaSnapshot saga = decide(confirmRefused().next(), new Event.BranchAttemptFailed("contact",
                new UnknownOutcomeFailure("attempt 1 was interrupted", null)));

        // then the contact is still to undo, with its siblings
        assertEquals(List.of("contact", "mailbox", "badge"), toRun(saga));
        assertEquals(Effect.DONE, saga.stepState("contact").effect());
    }

    @Test
    void aGroupUndoneInReverseIsNotRunAsOneGoingBack() {
        // given the same saga on a group without 'compensation: parallel'
        SagaDefinition reverse = new DefinitionParser(NamedActions.NONE).parse("onboarding.yaml",
                YAML.replace("      compensation: parallel\n", ""));
        SagaSnapshot saga = confirmRefused().next();

        // then compensation stands on its last branch alone
        assertNull(SagaTransitions.groupRunAsOne(reverse, saga));
        assertSame(Direction.COMPENSATION, SagaTransitions.direction(saga));
        assertEquals("badge", reverse.step(saga.stepIndex()).name());
    }
}
