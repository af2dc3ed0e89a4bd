package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.definitions.CompensationCheck;
import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.definitions.HttpCallDoc;
import io.sagaorchestrator.steps.OwnershipPolicy;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;
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
 * Every transition of a saga, in memory: given a saga as recorded, when something happens, expect
 * its next state and what the engine (or an operator's request) must do. No database, no clock.
 */
class SagaTransitionsTest {

    /** 6 attempts, 3 of them quick per run: a run that fails all 3 is parked once before the budget is spent. */
    private static final RetryPolicy RETRY = new RetryPolicy(6, 3, Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0,
            Duration.ofMinutes(2), 0.2, List.of(UnavailableFailure.class, UnknownOutcomeFailure.class),
            List.of(RejectedFailure.class, ManualRepairRequired.class));

    /** As user-sync: a remote call, then a local save, each with its compensation. */
    private static final SagaDefinition USER_SYNC = definition(
            new StepDefinition("tt-add-user", StepKind.REMOTE, "ttAddUser", "ttDeleteUser", Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.COMPENSATE),
            new StepDefinition("save-liaison", StepKind.LOCAL, "saveLiaison", "deleteLiaison", Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.COMPENSATE));

    /** As push-crm after a local save: an outbox call that cannot be undone and escalates when it cannot be made. */
    private static final SagaDefinition OUTBOX = definition(
            new StepDefinition("save-user", StepKind.LOCAL, "saveUser", "markUserRejected", Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.COMPENSATE),
            new StepDefinition("push-crm", StepKind.OUTBOX, "pushCrm", null, Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.ESCALATE));

    private static final JsonNode TT_USER = JsonNodeFactory.instance.objectNode().put("ttUserId", 42);
    private static final JsonNode LIAISON = JsonNodeFactory.instance.objectNode().put("liaisonId", 7);

    // --- forward ---

    @Test
    void aSucceededStepIsDoneWithItsOutputAndTheSagaGoesOnToTheNextStep() {
        // given a saga on its first, remote step, after one attempt
        SagaSnapshot saga = running(0, 1);

        // when the step succeeds
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepSucceeded(TT_USER));

        // then the engine goes on without a commit of its own, at the next step with a fresh attempt count
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.RUNNING, next.next().status());
        assertEquals(1, next.next().stepIndex());
        assertEquals(0, next.next().attempt());
        assertEquals(new StepState(Effect.DONE, TT_USER), next.next().stepState("tt-add-user"));
    }

    @Test
    void theLastStepsSuccessCompletesTheSagaWithItsOutputAsResultAndNoError() {
        // given a saga on its last step, after a first step that needed retries
        SagaSnapshot saga = running(1, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withLastError("tt-add-user: UnknownOutcomeFailure: timeout");

        // when the last step succeeds
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepSucceeded(LIAISON));

        // then the saga ends COMPLETED with the last output as its result
        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.COMPLETED, end.next().status());
        assertEquals(LIAISON, end.next().result());
        assertEquals(new StepState(Effect.DONE, LIAISON), end.next().stepState("save-liaison"));
        assertNull(end.next().lastError());
    }

    @Test
    void aRetryableFailureWithBudgetLeftParksTheSagaForItsBackoff() {
        // given a saga whose first run of a step made its 3 quick attempts out of 6
        SagaSnapshot saga = running(0, 3);

        // when the run ends with a retryable failure (random 0.5: no jitter)
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepFailed(new UnavailableFailure("TT down", null), 0.5));

        // then the saga is stored as it is and released until the first backoff has passed
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertSame(saga, park.next());
        assertEquals(Duration.ofSeconds(5), park.wakeIn());
    }

    @Test
    void aSpentBudgetStartsCompensationAtTheLatestStepThatTookEffect() {
        // given a saga whose local step has made all 6 attempts, after a remote step that is done
        SagaSnapshot saga = running(1, 6).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when its last run ends with a retryable failure
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepFailed(new UnavailableFailure("deadlock", null), 0.5));

        // then the saga compensates at once, from the remote step, with a fresh attempt count and the reason
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
        assertEquals(0, next.next().stepIndex());
        assertEquals(0, next.next().attempt());
        assertEquals("save-liaison: UnavailableFailure: deadlock", next.next().lastError());
    }

    @Test
    void aRunThatCanMakeNoAttemptGivesUpWithTheBudgetAsReason() {
        // given a saga resumed on a step whose whole budget was used before its owner died
        SagaSnapshot saga = running(1, 6).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withLastError("save-liaison: UnavailableFailure: deadlock");

        // when the run finds no attempt left
        Decision decision = SagaTransitions.decide(USER_SYNC, saga,
                new Event.StepFailed(SagaTransitions.budgetSpent(RETRY, saga), 0.5));

        // then the saga compensates, saying the budget was spent and what failed last
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
        assertEquals("save-liaison: UnknownOutcomeFailure: the attempt budget of 6 is spent; last error: save-liaison:"
                + " UnavailableFailure: deadlock", next.next().lastError());
    }

    @Test
    void aRejectedStepIsCompensatedAtOnceWithBudgetLeft() {
        // given a saga after the first attempt of its local step
        SagaSnapshot saga = running(1, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when the database refuses the change (abortOn)
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepFailed(new RejectedFailure("unique phone"), 0.5));

        // then it is not retried: compensation starts at the remote step
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
        assertEquals(0, next.next().stepIndex());
    }

    @Test
    void aRejectedFirstStepWithNothingToUndoEndsCompensated() {
        // given a saga after the first attempt of its first step
        SagaSnapshot saga = running(0, 1);

        // when the third party rejects it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepFailed(new RejectedFailure("HTTP 422"), 0.5));

        // then there is nothing to undo and the saga ends COMPENSATED with the reason
        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.COMPENSATED, end.next().status());
        assertEquals("tt-add-user: RejectedFailure: HTTP 422", end.next().lastError());
    }

    @Test
    void aSpentBudgetEscalatesAStepThatSaysSoInsteadOfCompensating() {
        // given a saga whose outbox call (onFailure: escalate) has made all its attempts
        SagaSnapshot saga = running(1, 6).withStepState("save-user", new StepState(Effect.DONE, LIAISON));

        // when its last run fails
        Decision decision = SagaTransitions.decide(OUTBOX, saga, new Event.StepFailed(new UnavailableFailure("CRM down", null), 0.5));

        // then the saga escalates with the reason, and the local step stays done: the call is owed, not undone
        Decision.Escalate escalate = assertInstanceOf(Decision.Escalate.class, decision);
        assertEquals(SagaStatus.ESCALATED, escalate.next().status());
        assertEquals("push-crm: UnavailableFailure: CRM down", escalate.next().lastError());
        assertEquals(Effect.DONE, escalate.next().stepState("save-user").effect());
    }

    // --- unknown outcomes ---

    @Test
    void anUnknownOutcomeLeavesTheRemoteStepUncertainAndCompensationUndoesIt() {
        // given a saga on its remote step
        SagaSnapshot saga = running(0, 6);

        // when an attempt times out
        Decision afterAttempt = SagaTransitions.decide(USER_SYNC, saga, new Event.AttemptFailed(new UnknownOutcomeFailure("timeout", null)));

        // then the step may have taken effect, and the failure is the saga's last error
        SagaSnapshot uncertain = assertInstanceOf(Decision.Continue.class, afterAttempt).next();
        assertEquals(new StepState(Effect.UNCERTAIN, null), uncertain.stepState("tt-add-user"));
        assertEquals("tt-add-user: UnknownOutcomeFailure: timeout", uncertain.lastError());

        // and when the budget is spent, compensation starts at that very step
        Decision decision = SagaTransitions.decide(USER_SYNC, uncertain,
                new Event.StepFailed(new UnknownOutcomeFailure("timeout", null), 0.5));
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
        assertEquals(0, next.next().stepIndex());
    }

    @Test
    void aFailedLocalAttemptLeavesNothingUncertain() {
        // given a saga on its local step
        SagaSnapshot saga = running(1, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when an attempt fails with an unknown outcome (its transaction rolled back with the log row)
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.AttemptFailed(new UnknownOutcomeFailure("lost", null)));

        // then the local step has no effect to undo
        assertNull(decision.next().stepState("save-liaison"));
        assertEquals("save-liaison: UnknownOutcomeFailure: lost", decision.next().lastError());
    }

    @Test
    void aFailedCompensationAttemptKeepsTheStepsForwardEffect() {
        // given a saga compensating a remote step that is done
        SagaSnapshot saga = compensating(0, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when an attempt of the compensation times out
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.AttemptFailed(new UnknownOutcomeFailure("timeout", null)));

        // then the step is still known to be done (its output is what the compensation needs)
        assertEquals(new StepState(Effect.DONE, TT_USER), decision.next().stepState("tt-add-user"));
    }

    @Test
    void anInterruptedForwardAttemptMakesTheStepUncertain() {
        // given a RUNNING saga whose owner died after the intent of its remote step
        SagaSnapshot saga = running(0, 1);

        // when the next owner finds the intent without outcome
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.AttemptInterrupted());

        // then the step may have taken effect, and the run goes on
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(new StepState(Effect.UNCERTAIN, null), next.next().stepState("tt-add-user"));
    }

    @Test
    void anInterruptedCompensationAttemptChangesNoEffect() {
        // given a COMPENSATING saga whose owner died during the compensation of a done step
        SagaSnapshot saga = compensating(0, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when the next owner finds the intent without outcome
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.AttemptInterrupted());

        // then the step stays done: compensating it again is the run's next move
        assertSame(saga, decision.next());
    }

    // --- compensation ---

    @Test
    void aCompensationSuccessMovesToThePreviousStepToUndoAndKeepsTheForwardOutput() {
        // given a saga compensating its local step, after a remote step that is done
        SagaSnapshot saga = compensating(1, 2).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withStepState("save-liaison", new StepState(Effect.DONE, LIAISON));

        // when the compensation succeeds
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepSucceeded(null));

        // then the local step is compensated, and the saga moves on to undo the remote step
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(new StepState(Effect.COMPENSATED, LIAISON), next.next().stepState("save-liaison"));
        assertEquals(0, next.next().stepIndex());
        assertEquals(0, next.next().attempt());
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
    }

    @Test
    void theLastCompensationEndsTheSagaCompensated() {
        // given a saga compensating its first step
        SagaSnapshot saga = compensating(0, 1).withStepState("tt-add-user", new StepState(Effect.UNCERTAIN, null));

        // when the compensation succeeds
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepSucceeded(null));

        // then everything is undone
        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.COMPENSATED, end.next().status());
        assertEquals(Effect.COMPENSATED, end.next().stepState("tt-add-user").effect());
    }

    @Test
    void aCompensationWithBudgetLeftIsParked() {
        // given a compensation after its first run of 3 attempts
        SagaSnapshot saga = compensating(0, 3).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when the run fails with TT unavailable
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepFailed(new UnavailableFailure("TT down", null), 0.5));

        // then it is tried again later, not escalated
        assertInstanceOf(Decision.Park.class, decision);
    }

    @Test
    void aCompensationWhoseBudgetIsSpentEscalatesWithTheReason() {
        // given a compensation that has made all 6 attempts
        SagaSnapshot saga = compensating(0, 6).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when its last run fails
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.StepFailed(new UnavailableFailure("TT down", null), 0.5));

        // then a person must act, and the saga says why
        Decision.Escalate escalate = assertInstanceOf(Decision.Escalate.class, decision);
        assertEquals(SagaStatus.ESCALATED, escalate.next().status());
        assertEquals("tt-add-user: UnavailableFailure: TT down", escalate.next().lastError());
    }

    @Test
    void aCompensationThatCannotTellWhoOwnsTheRemoteUserEscalatesAtOnce() {
        // given a compensation of an add whose outcome was never learned, on its first attempt
        SagaSnapshot saga = compensating(0, 1).withStepState("tt-add-user", new StepState(Effect.UNCERTAIN, null));

        // when TT answers EXISTS and ownership is uncertain
        Decision decision = SagaTransitions.decide(USER_SYNC, saga,
                new Event.StepFailed(new ManualRepairRequired("cannot be told whether this saga created it"), 0.5));

        // then it escalates at once (budget left or not): deleting could destroy somebody else's user
        Decision.Escalate escalate = assertInstanceOf(Decision.Escalate.class, decision);
        assertTrue(escalate.next().lastError().contains("cannot be told whether this saga created it"), escalate.next().lastError());
    }

    // --- operators ---

    @Test
    void anOperatorCompensatesAStuckSagaWhoseInterruptedCallMayHaveHappened() {
        // given a RUNNING saga whose owner died with an intent of its remote step open
        SagaSnapshot saga = running(0, 1);

        // when an operator asks to compensate it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorCompensate(false, true, "alice (compensate): stuck"));

        // then the step counts as possibly done, and the saga is released to compensate it at once
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(Duration.ZERO, park.wakeIn());
        assertEquals(SagaStatus.COMPENSATING, park.next().status());
        assertEquals(0, park.next().stepIndex());
        assertEquals(Effect.UNCERTAIN, park.next().stepState("tt-add-user").effect());
        assertEquals("compensation requested by alice (compensate): stuck", park.next().lastError());
    }

    @Test
    void anOperatorCompensatingASagaThatDidNothingEndsItCompensated() {
        // given a RUNNING saga whose first step never reached the third party
        SagaSnapshot saga = running(0, 0);

        // when an operator asks to compensate it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorCompensate(false, false, "alice: stop"));

        // then there is nothing to undo
        assertEquals(SagaStatus.COMPENSATED, assertInstanceOf(Decision.End.class, decision).next().status());
    }

    @Test
    void compensatingACompletedSagaNeedsForce() {
        // given a COMPLETED saga
        SagaSnapshot saga = completed();

        // when an operator asks to compensate it without force
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorCompensate(false, false, "alice: undo"));

        // then it is refused, and nothing changes
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertSame(saga, refused.next());
        assertTrue(refused.reason().contains("\"force\": true"), refused.reason());
    }

    @Test
    void aForcedCompensationUndoesACompletedSagaFromItsLastStep() {
        // given a COMPLETED saga
        SagaSnapshot saga = completed();

        // when an operator forces its compensation
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorCompensate(true, false, "alice: undo"));

        // then it is released to compensate, starting with the last step
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(SagaStatus.COMPENSATING, park.next().status());
        assertEquals(1, park.next().stepIndex());
        assertEquals(Duration.ZERO, park.wakeIn());
    }

    @Test
    void aCompletedSagaALaterSagaWithItsKeyMayHaveAdoptedFromIsNotUndone() {
        // given a COMPLETED saga, and a later saga with the same key that did not end COMPENSATED: it may have met EXISTS
        // and linked the user this one created
        SagaSnapshot saga = completed();
        UUID later = UUID.randomUUID();

        // when an operator forces its compensation
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorCompensate(true, false, "alice: undo", later));

        // then it is refused, naming the later saga, and nothing changes
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertSame(saga, refused.next());
        assertEquals("Saga " + later + " has the same key and came after this one: it may have adopted what this saga created,"
                + " and undoing this saga would take it away. Undo that saga first, or repair by hand", refused.reason());
    }

    @Test
    void aLaterSagaWithTheKeyDoesNotHoldBackTheUndoOfALiveSaga() {
        // given a RUNNING saga whose add took effect (it holds its key: no later saga can have adopted from it yet)
        SagaSnapshot saga = running(1, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER));

        // when an operator compensates it, then it is undone as ever
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorCompensate(false, false, "alice: stop",
                UUID.randomUUID()));
        assertEquals(SagaStatus.COMPENSATING, assertInstanceOf(Decision.Park.class, decision).next().status());
    }

    @Test
    void aCompletedSagaWhoseLastStepCannotBeUndoneIsNotCompensated() {
        // given a COMPLETED saga whose last step is an outbox call without compensation
        SagaSnapshot saga = completed().withStepState("save-user", new StepState(Effect.DONE, LIAISON))
                .withStepState("push-crm", new StepState(Effect.DONE, null));

        // when an operator forces its compensation
        Decision decision = SagaTransitions.decide(OUTBOX, saga, new Event.OperatorCompensate(true, false, "alice: undo"));

        // then it is refused
        assertTrue(assertInstanceOf(Decision.Refused.class, decision).reason().contains("'push-crm'"));
    }

    @Test
    void aStuckSagaWhoseStepWithoutCompensationMayHaveTakenEffectIsNotCompensated() {
        // given a RUNNING saga whose outbox call was interrupted
        SagaSnapshot saga = running(1, 1).withStepState("save-user", new StepState(Effect.DONE, LIAISON));

        // when an operator asks to compensate it
        Decision decision = SagaTransitions.decide(OUTBOX, saga, new Event.OperatorCompensate(false, true, "alice: stop"));

        // then it is refused: the call may have happened and cannot be undone
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertTrue(refused.reason().contains("'push-crm' may have taken effect"), refused.reason());
    }

    @Test
    void aRetryAfterAnEscalatedCompensationResumesItWithAFreshBudget() {
        // given a saga ESCALATED after its compensation made all 6 attempts
        SagaSnapshot saga = compensating(0, 6).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withStatus(SagaStatus.ESCALATED);

        // when an operator retries it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorRetry(false));

        // then it compensates again at once, attempt numbers going on but none counted against the budget
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(Duration.ZERO, park.wakeIn());
        assertEquals(SagaStatus.COMPENSATING, park.next().status());
        assertEquals(6, park.next().attempt());
        assertEquals(0, park.next().attemptsUsed());

        // and when its next run fails too, it is parked for a later retry instead of escalating again
        SagaSnapshot afterRun = park.next().withAttempt(9);
        assertInstanceOf(Decision.Park.class, SagaTransitions.decide(USER_SYNC, afterRun,
                new Event.StepFailed(new UnavailableFailure("TT down", null), 0.5)));
    }

    @Test
    void aRetryAfterAnEscalatedForwardStepResumesGoingForward() {
        // given a saga ESCALATED because its outbox call could not be made
        SagaSnapshot saga = running(1, 6).withStepState("save-user", new StepState(Effect.DONE, LIAISON))
                .withStatus(SagaStatus.ESCALATED);

        // when an operator retries it
        Decision decision = SagaTransitions.decide(OUTBOX, saga, new Event.OperatorRetry(true));

        // then the call is made again
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(SagaStatus.RUNNING, park.next().status());
        assertEquals(0, park.next().attemptsUsed());
    }

    @Test
    void aRetryOfAStepWithAFreshBudgetIsRefused() {
        // given a RUNNING saga whose step has not failed since its last fresh budget
        SagaSnapshot saga = running(0, 4).withFreshBudget();

        // when an operator retries it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorRetry(false));

        // then it is refused: the saga goes on by itself
        assertInstanceOf(Decision.Refused.class, decision);
    }

    @Test
    void aRetryOfAParkedStepGrantsAFreshBudget() {
        // given a RUNNING saga parked after 3 failed attempts
        SagaSnapshot saga = running(0, 3);

        // when an operator retries it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorRetry(false));

        // then it runs again at once with its whole budget
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(SagaStatus.RUNNING, park.next().status());
        assertEquals(0, park.next().attemptsUsed());
        assertEquals(Duration.ZERO, park.wakeIn());
    }

    @Test
    void resolvingAnEscalatedSagaEndsItWithTheOperatorsNote() {
        // given an ESCALATED saga
        SagaSnapshot saga = compensating(0, 6).withStatus(SagaStatus.ESCALATED).withLastError("tt-add-user: ManualRepairRequired: x");

        // when an operator resolves it
        Decision decision = SagaTransitions.resolve(saga, "alice (resolve): deleted by hand");

        // then it ends RESOLVED, keeping why it escalated
        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.RESOLVED, end.next().status());
        assertEquals("tt-add-user: ManualRepairRequired: x | resolved by alice (resolve): deleted by hand", end.next().lastError());
    }

    @Test
    void aSagaWhoseDefinitionCannotBeReadEscalates() {
        // given a RUNNING saga
        SagaSnapshot saga = running(0, 1);

        // when this release cannot read its definition
        Decision decision = SagaTransitions.definitionUnreadable(saga, "no action 'ttAddUser'");

        // then a person must decide
        Decision.Escalate escalate = assertInstanceOf(Decision.Escalate.class, decision);
        assertEquals("definition user-sync v1 cannot be run by this release: no action 'ttAddUser'", escalate.next().lastError());
    }

    // --- pause and resume ---

    @Test
    void aRunningOrCompensatingSagaIsPausedWithItsStateUntouched() {
        for (SagaSnapshot saga : List.of(running(0, 2), compensating(1, 1))) {
            // given a live saga nobody paused (an attempt of it may be in flight)

            // when an operator pauses it
            Decision decision = SagaTransitions.pause(saga, null, "alice");

            // then it is marked paused and nothing else changes: the owner's fenced writes still fit
            Decision.Pause pause = assertInstanceOf(Decision.Pause.class, decision);
            assertSame(saga, pause.next());
            assertEquals("alice", pause.by());
        }
    }

    @Test
    void pausingASagaPausedAlreadyIsRefusedNamingWhoPausedIt() {
        // given a saga bob paused
        SagaSnapshot saga = running(0, 2);

        // when alice pauses it too
        Decision decision = SagaTransitions.pause(saga, "bob", "alice");

        // then she is told, and nothing changes
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertEquals("The saga is paused already, by bob; nothing was changed", refused.reason());
    }

    @Test
    void anEndedOrEscalatedSagaCannotBePaused() {
        for (SagaSnapshot saga : List.of(completed(), compensating(0, 6).withStatus(SagaStatus.ESCALATED))) {
            // given a saga that makes no attempts any more

            // when an operator pauses it, then it is refused
            Decision.Refused refused = assertInstanceOf(Decision.Refused.class, SagaTransitions.pause(saga, null, "alice"));
            assertTrue(refused.reason().contains("there is nothing to pause"), refused.reason());
        }
    }

    @Test
    void aPausedSagaIsResumedAndOneNotPausedIsNot() {
        // given a saga bob paused, and one nobody paused
        SagaSnapshot saga = running(0, 2);

        // when an operator resumes each, then the paused one goes on, the other is refused
        assertSame(saga, assertInstanceOf(Decision.Resume.class, SagaTransitions.resume(saga, "bob")).next());
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, SagaTransitions.resume(saga, null));
        assertEquals("The saga is not paused: there is nothing to resume", refused.reason());
    }

    @Test
    void aRunThatFindsItsSagaPausedBeforeAnAttemptReleasesItWithWhatItLearned() {
        // given a run whose last attempt failed and left the step uncertain
        SagaSnapshot saga = running(0, 2).withStepState("tt-add-user", new StepState(Effect.UNCERTAIN, null))
                .withLastError("tt-add-user: UnknownOutcomeFailure: timeout");

        // when the commit of its next attempt finds the saga paused
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.PausedBeforeAttempt());

        // then it commits the saga as it stands (uncertain step, last error, attempts used) and releases it for the resume
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertSame(saga, park.next());
        assertEquals(Duration.ZERO, park.wakeIn());
    }

    // --- deadlines ---

    /** As user-sync, with a deadline of 10 minutes for the whole saga and of 30 seconds for its local save. */
    private static final SagaDefinition WITH_DEADLINES = new SagaDefinition("user-sync", 1, "in memory", List.of(
            USER_SYNC.step(0),
            new StepDefinition("save-liaison", StepKind.LOCAL, "saveLiaison", "deleteLiaison", Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.COMPENSATE, null, null, Duration.ofSeconds(30), OwnershipPolicy.ESCALATE)),
            "hash", "in memory", null, Duration.ofMinutes(10));

    private static final Instant TEN_MINUTES_IN = Instant.EPOCH.plus(Duration.ofMinutes(10));

    @Test
    void aSagaBeginningCountsItsDeadlineFromItsCreationAndItsFirstStepsFromNow() {
        // given a saga recorded at the epoch, of a definition with a deadline of 10 minutes
        SagaSnapshot saga = running(0, 0);

        // when it begins its first run a minute later (dispatched by SQL, it waited in the queue)
        SagaSnapshot begun = SagaTransitions.begun(WITH_DEADLINES, saga, Instant.EPOCH.plusSeconds(60));

        // then its deadline counts from its creation, and its first step, which has none of its own, adds none
        assertEquals(TEN_MINUTES_IN, begun.deadlineAt());
        assertNull(begun.stepDeadlineAt());
        assertEquals(TEN_MINUTES_IN, SagaTransitions.deadline(begun));
    }

    @Test
    void aStepsOwnDeadlineCountsFromTheCommitThatMovesTheSagaOntoItAndEndsWithTheStep() {
        // given a saga whose first step has just succeeded, moving it onto the save with its own 30 s
        SagaSnapshot begun = SagaTransitions.begun(WITH_DEADLINES, running(0, 1), Instant.EPOCH);
        SagaSnapshot moved = SagaTransitions.decide(WITH_DEADLINES, begun, new Event.StepSucceeded(TT_USER)).next();

        // when that move is committed at 2 minutes
        SagaSnapshot committed = SagaTransitions.reachedStep(WITH_DEADLINES, moved, Instant.EPOCH.plusSeconds(120));

        // then the step's deadline is 30 s later, earlier than the saga's, and a later commit on the same step keeps it
        assertEquals(Instant.EPOCH.plusSeconds(150), committed.stepDeadlineAt());
        assertEquals(Instant.EPOCH.plusSeconds(150), SagaTransitions.deadline(committed));
        assertSame(committed, SagaTransitions.reachedStep(WITH_DEADLINES, committed, Instant.EPOCH.plusSeconds(140)));
        // and moving on to another step clears it, since that step counts its own
        assertNull(committed.atStep(0).stepDeadlineAt());
        assertEquals(TEN_MINUTES_IN, committed.atStep(0).deadlineAt());
    }

    @Test
    void aRunningSagaBeforeItsDeadlineIsNotPastIt() {
        // given a saga with its deadline at 10 minutes
        SagaSnapshot saga = running(1, 0).withDeadlines(TEN_MINUTES_IN, null);

        // when it is a millisecond earlier, then it goes on; at the instant itself, it stops
        assertEquals(false, SagaTransitions.deadlinePassed(saga, TEN_MINUTES_IN.minusMillis(1)));
        assertTrue(SagaTransitions.deadlinePassed(saga, TEN_MINUTES_IN));
    }

    @Test
    void aRunningSagaPastItsDeadlineCompensatesFromTheLatestStepThatTookEffect() {
        // given a saga whose TT user exists, on its local save, with its deadline at 10 minutes
        SagaSnapshot saga = running(1, 0).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withDeadlines(TEN_MINUTES_IN, null);

        // when the engine, about to begin the save's attempt, finds the deadline passed
        Decision decision = SagaTransitions.decide(WITH_DEADLINES, saga, new Event.DeadlinePassed(TEN_MINUTES_IN.plusSeconds(1)));

        // then the saga stops going forward and undoes the TT user, saying why
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
        assertEquals(0, next.next().stepIndex());
        assertEquals(0, next.next().attempt());
        assertEquals("the saga's deadline of 10m passed at 1970-01-01T00:10:00Z while at step save-liaison", next.next().lastError());
    }

    @Test
    void aStepWhoseAttemptTimedOutBeforeTheDeadlineIsUndoneSinceItMayHaveTakenEffect() {
        // given a saga whose call to TT timed out (the user may exist), parked for a retry past its deadline
        SagaSnapshot saga = running(0, 3).withStepState("tt-add-user", new StepState(Effect.UNCERTAIN, null))
                .withDeadlines(TEN_MINUTES_IN, null);

        // when it wakes past its deadline
        Decision decision = SagaTransitions.decide(WITH_DEADLINES, saga, new Event.DeadlinePassed(TEN_MINUTES_IN));

        // then the step in doubt is compensated (which reconciles: deleting only a user this saga created)
        Decision.Continue next = assertInstanceOf(Decision.Continue.class, decision);
        assertEquals(SagaStatus.COMPENSATING, next.next().status());
        assertEquals(0, next.next().stepIndex());
    }

    @Test
    void aSagaPastItsDeadlineThatDidNothingYetEndsCompensated() {
        // given a saga that never reached TT (dispatched by SQL, it waited in the queue past its deadline)
        SagaSnapshot saga = SagaTransitions.begun(WITH_DEADLINES, running(0, 0), TEN_MINUTES_IN.plusSeconds(5));

        // when the engine is about to make its first attempt
        Decision decision = SagaTransitions.decide(WITH_DEADLINES, saga, new Event.DeadlinePassed(TEN_MINUTES_IN.plusSeconds(5)));

        // then there is nothing to undo
        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.COMPENSATED, end.next().status());
        assertTrue(end.next().lastError().startsWith("the saga's deadline of 10m passed"), end.next().lastError());
    }

    @Test
    void theStepsOwnDeadlineWhenEarlierIsTheOneNamed() {
        // given a saga on its save since 2 minutes (own deadline 2:30), well within the saga's 10 minutes
        SagaSnapshot saga = running(1, 1).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withDeadlines(TEN_MINUTES_IN, Instant.EPOCH.plusSeconds(150));

        // when 2:30 passes
        Decision decision = SagaTransitions.decide(WITH_DEADLINES, saga, new Event.DeadlinePassed(Instant.EPOCH.plusSeconds(151)));

        // then the step's deadline is the reason
        assertEquals("step save-liaison's deadline of 30s passed at 1970-01-01T00:02:30Z while at step save-liaison",
                decision.next().lastError());
        assertEquals(SagaStatus.COMPENSATING, decision.next().status());
    }

    @Test
    void aSagaPastItsDeadlineWithAStepThatCannotBeUndoneEscalates() {
        // given an outbox saga whose push may have reached the CRM (it timed out), which nothing can undo
        SagaDefinition outbox = new SagaDefinition("user-sync", 1, "in memory", OUTBOX.steps(), "hash", "in memory", null,
                Duration.ofMinutes(10));
        SagaSnapshot saga = running(1, 2).withStepState("save-user", new StepState(Effect.DONE, LIAISON))
                .withStepState("push-crm", new StepState(Effect.UNCERTAIN, null)).withDeadlines(TEN_MINUTES_IN, null);

        // when its deadline passes
        Decision decision = SagaTransitions.decide(outbox, saga, new Event.DeadlinePassed(TEN_MINUTES_IN));

        // then a person must decide, and is told why
        Decision.Escalate escalate = assertInstanceOf(Decision.Escalate.class, decision);
        assertEquals("the saga's deadline of 10m passed at 1970-01-01T00:10:00Z while at step push-crm; step 'push-crm' may have"
                + " taken effect and has no compensation, so a person must decide", escalate.next().lastError());
    }

    @Test
    void aDeadlineThatPassesDuringCompensationChangesNothing() {
        // given a saga undoing its TT user, past its deadline
        SagaSnapshot saga = compensating(0, 2).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withLastError("save-liaison: RejectedFailure: duplicate").withDeadlines(TEN_MINUTES_IN, null);

        // when the deadline is considered
        Decision decision = SagaTransitions.decide(WITH_DEADLINES, saga, new Event.DeadlinePassed(TEN_MINUTES_IN.plusSeconds(60)));

        // then compensation goes on as it was: it always finishes or escalates
        assertSame(saga, assertInstanceOf(Decision.Continue.class, decision).next());
        assertEquals(false, SagaTransitions.deadlinePassed(saga, TEN_MINUTES_IN.plusSeconds(60)));
    }

    @Test
    void aSagaParkedForABackoffWakesNoLaterThanItsDeadline() {
        // given a RUNNING saga 20 s before its deadline
        SagaSnapshot saga = running(0, 3).withDeadlines(TEN_MINUTES_IN, null);
        Instant now = TEN_MINUTES_IN.minusSeconds(20);

        // when it is parked for a minute, or for 5 s, then it wakes at its deadline, or after its backoff
        assertEquals(Duration.ofSeconds(20), SagaTransitions.wakeNoLaterThanDeadline(saga, Duration.ofMinutes(1), now));
        assertEquals(Duration.ofSeconds(5), SagaTransitions.wakeNoLaterThanDeadline(saga, Duration.ofSeconds(5), now));
        // and a compensating saga keeps its backoff, whatever its deadline
        assertEquals(Duration.ofMinutes(1), SagaTransitions.wakeNoLaterThanDeadline(saga.withStatus(SagaStatus.COMPENSATING),
                Duration.ofMinutes(1), now));
    }

    @Test
    void anOperatorsRetryLiftsTheDeadlineSinceAPersonDecidedTheSagaGoesOn() {
        // given a saga escalated at its deadline, on a step that cannot be undone
        SagaSnapshot saga = running(1, 2).withStatus(SagaStatus.ESCALATED).withDeadlines(TEN_MINUTES_IN, TEN_MINUTES_IN);

        // when an operator retries it
        Decision decision = SagaTransitions.decide(OUTBOX, saga, new Event.OperatorRetry(true));

        // then it goes forward again without a deadline (the step's counts again from the retry's first commit)
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(SagaStatus.RUNNING, park.next().status());
        assertNull(park.next().deadlineAt());
        assertNull(park.next().stepDeadlineAt());
    }

    @Test
    void anOperatorsRetryOfAStuckSagaKeepsItsDeadline() {
        // given a RUNNING saga whose step has failed, with its deadline at 10 minutes
        SagaSnapshot saga = running(0, 3).withDeadlines(TEN_MINUTES_IN, null);

        // when an operator has it tried again now
        Decision decision = SagaTransitions.decide(WITH_DEADLINES, saga, new Event.OperatorRetry(false));

        // then it gets a fresh budget, and the deadline its definition set still holds
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(0, park.next().attemptsUsed());
        assertEquals(TEN_MINUTES_IN, park.next().deadlineAt());
    }

    // --- skip a step done by hand, re-plan on a corrected definition ---

    private static final JsonNode BY_HAND = JsonNodeFactory.instance.objectNode().put("remoteUserId", "tt-9").put("ownership", "CREATED");

    private static Event.OperatorSkip skip(String step, JsonNode output, boolean lastAttemptForward, boolean interrupted, boolean forced) {
        return new Event.OperatorSkip(step, output, java.util.Set.of("remoteUserId", "ownership"), lastAttemptForward, interrupted,
                forced, "alice (skip): created in TT by hand");
    }

    @Test
    void aStuckStepDoneByHandIsDoneWithItsOutputAndTheSagaGoesOnAtOnceWithAFreshBudget() {
        // given a saga stuck on its remote step after 3 attempts that did not reach TT
        SagaSnapshot saga = running(0, 3).withLastError("tt-add-user: UnavailableFailure: HTTP 503");

        // when an operator says the step was done by hand, with the output later steps read
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, skip("tt-add-user", BY_HAND, false, false, false));

        // then the step is DONE with that output (its compensation would undo it), and the next step runs now
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(Duration.ZERO, park.wakeIn());
        assertEquals(SagaStatus.RUNNING, park.next().status());
        assertEquals(1, park.next().stepIndex());
        assertEquals(0, park.next().attemptsUsed());
        assertEquals(new StepState(Effect.DONE, BY_HAND), park.next().stepState("tt-add-user"));
        assertEquals("step 'tt-add-user' done by hand: alice (skip): created in TT by hand", park.next().lastError());
    }

    @Test
    void anEscalatedOutboxStepDoneByHandCompletesTheSagaWithItsOutput() {
        // given a saga escalated on its last, outbox step going forward
        SagaSnapshot saga = running(1, 6).withStepState("save-user", new StepState(Effect.DONE, LIAISON)).withStatus(SagaStatus.ESCALATED);
        JsonNode sent = JsonNodeFactory.instance.objectNode().put("crmId", "c-1");

        // when an operator says the push was made by hand
        Decision decision = SagaTransitions.decide(OUTBOX, saga, new Event.OperatorSkip("push-crm", sent, java.util.Set.of(), true,
                false, false, "bob (skip): pushed by hand"));

        // then the saga ends COMPLETED with that output as its result
        Decision.End end = assertInstanceOf(Decision.End.class, decision);
        assertEquals(SagaStatus.COMPLETED, end.next().status());
        assertEquals(sent, end.next().result());
        assertEquals(new StepState(Effect.DONE, sent), end.next().stepState("push-crm"));
    }

    @Test
    void aSagaEscalatedWhileCompensatingCannotSkipForward() {
        // given a saga escalated while undoing its first step
        SagaSnapshot saga = compensating(0, 6).withStatus(SagaStatus.ESCALATED);

        // when an operator asks to skip that step
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, skip("tt-add-user", BY_HAND, false, false, false));

        // then it is refused, saying skip only goes forward
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertTrue(refused.reason().contains("skip only carries a saga forward"), refused.reason());
        assertSame(saga, refused.next());
    }

    @Test
    void onlyTheCurrentStepCanBeSkipped() {
        // given a saga on its first step
        SagaSnapshot saga = running(0, 3);

        // when an operator names the second one
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, skip("save-liaison", BY_HAND, false, false, false));

        // then it is refused, naming the current step
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertTrue(refused.reason().startsWith("The saga stands on step 'tt-add-user' (1 of 2), not 'save-liaison'"), refused.reason());
    }

    @Test
    void aStepWhoseEarlierAttemptMayHaveTakenEffectIsSkippedOnlyWhenForced() {
        // given a saga whose remote step's last attempt was interrupted: the call may have happened
        SagaSnapshot saga = running(0, 3);

        // when an operator skips it without force, then it is refused: the hand-made effect could be a second one
        Decision refused = SagaTransitions.decide(USER_SYNC, saga, skip("tt-add-user", BY_HAND, false, true, false));
        assertTrue(assertInstanceOf(Decision.Refused.class, refused).reason().contains("\"force\": true"));

        // when forced, then the step is DONE with the output given
        Decision.Park park = assertInstanceOf(Decision.Park.class,
                SagaTransitions.decide(USER_SYNC, saga, skip("tt-add-user", BY_HAND, false, true, true)));
        assertEquals(new StepState(Effect.DONE, BY_HAND), park.next().stepState("tt-add-user"));
    }

    @Test
    void anOutputLackingAFieldItsReadersNeedIsRefusedNamingIt() {
        // given a stuck saga
        SagaSnapshot saga = running(0, 3);

        // when the output given has no owner
        JsonNode partial = JsonNodeFactory.instance.objectNode().put("remoteUserId", "tt-9").putNull("ownership");
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, skip("tt-add-user", partial, false, false, false));

        // then it is refused, listing what is missing
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class, decision);
        assertTrue(refused.reason().startsWith("The output lacks ownership, which later steps"), refused.reason());
    }

    @Test
    void anEscalatedCompensationMovesToTheCorrectedDefinitionAndResumesWithAFreshBudget() {
        // given a saga escalated undoing its first step after a compensation budget of 6, and v2 allowing 12
        SagaSnapshot saga = compensating(0, 6).withStatus(SagaStatus.ESCALATED)
                .withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER)).withLastError("tt-add-user: UnavailableFailure: 503");
        RetryPolicy longer = new RetryPolicy(12, 3, Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0, Duration.ofMinutes(2), 0.2,
                RETRY.retryOn(), RETRY.abortOn());
        SagaDefinition v2 = new SagaDefinition("user-sync", 2, "corrected", List.of(
                new StepDefinition("tt-add-user", StepKind.REMOTE, "ttAddUser", "ttDeleteUser", Duration.ofSeconds(5), RETRY, longer,
                        FailurePolicy.COMPENSATE), USER_SYNC.step(1)), "hash-2", "corrected");

        // when an operator re-plans it
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorReplan(v2, false, "alice (replan): budget"));

        // then it is pinned to v2 and its compensation resumes now with the whole budget
        Decision.Park park = assertInstanceOf(Decision.Park.class, decision);
        assertEquals(SagaStatus.COMPENSATING, park.next().status());
        assertEquals(2, park.next().definitionVersion());
        assertEquals("hash-2", park.next().definitionHash());
        assertEquals(0, park.next().attemptsUsed());
        assertEquals(Duration.ZERO, park.wakeIn());
        // and what changes is listed
        assertEquals(List.of("step 'tt-add-user' compensationRetry.attempts: 6 -> 12"),
                SagaTransitions.changes(USER_SYNC, v2, saga).policies());
    }

    @Test
    void aSagaIsNotMovedToADefinitionWhoseStepsItPassedDiffer() {
        // given a saga on its second step, and a v2 whose first step calls another action
        SagaSnapshot saga = running(1, 6).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER)).withStatus(SagaStatus.ESCALATED);
        SagaDefinition v2 = new SagaDefinition("user-sync", 2, "changed", List.of(
                new StepDefinition("tt-add-user", StepKind.REMOTE, "ttAddUserV2", "ttDeleteUser", Duration.ofSeconds(5), RETRY, RETRY,
                        FailurePolicy.COMPENSATE), USER_SYNC.step(1)), "hash-2", "changed");

        // when an operator re-plans it, then it is refused, saying which step differs and how
        Decision.Refused refused = assertInstanceOf(Decision.Refused.class,
                SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorReplan(v2, true, "alice (replan)")));
        assertEquals("The saga cannot move from v1 to v2 of user-sync: step 1 'tt-add-user' has been passed, but in v2"
                + " action: ttAddUser -> ttAddUserV2", refused.reason());
    }

    @Test
    void aSagaOnTheCurrentDefinitionHasNothingToMoveTo() {
        SagaSnapshot saga = running(0, 6).withStatus(SagaStatus.ESCALATED);
        Decision decision = SagaTransitions.decide(USER_SYNC, saga, new Event.OperatorReplan(USER_SYNC, true, "alice (replan)"));
        assertTrue(assertInstanceOf(Decision.Refused.class, decision).reason().contains("there is nothing to move to"));
    }

    // --- verified compensation ---

    /** As push-crm with a declared undo: a contact created at the CRM, deleted by the compensation, checked by a GET. */
    private static final RetryPolicy CHECK_RETRY = new RetryPolicy(2, 1, Duration.ZERO, Duration.ofSeconds(1), 2.0,
            Duration.ofSeconds(1), 0.0, List.of(UnavailableFailure.class, UnknownOutcomeFailure.class),
            List.of(RejectedFailure.class, ManualRepairRequired.class));
    private static final CompensationCheck CONTACT_GONE = new CompensationCheck(HttpCall.parse(new HttpCallDoc("GET", "crm",
            "/contacts/${forward.output.id}", null, null, null, null, null, null), new HttpCall.Scope(Map.of(), true, null)),
            404, null, null, CHECK_RETRY);
    private static final SagaDefinition VERIFIED = definition(
            new StepDefinition("create-contact", StepKind.REMOTE, "createContact", "deleteContact", Duration.ofSeconds(5), RETRY,
                    RETRY, FailurePolicy.COMPENSATE).withVerify(CONTACT_GONE),
            new StepDefinition("save-liaison", StepKind.LOCAL, "saveLiaison", "deleteLiaison", Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.COMPENSATE));
    private static final JsonNode CONTACT = JsonNodeFactory.instance.objectNode().put("id", 42);
    private static final JsonNode DELETED = JsonNodeFactory.instance.objectNode().put("httpStatus", 204);

    @Test
    void aCompensationThatAnsweredSuccessMakesItsCheckDueBeforeTheStepCountsAsCompensated() {
        // given a saga compensating a contact it created, after two attempts of the compensation
        SagaSnapshot saga = compensating(0, 2).withStepState("create-contact", new StepState(Effect.DONE, CONTACT));

        // when the compensation answers success
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.StepSucceeded(DELETED));

        // then the saga stays on the step, which awaits its check with a fresh budget of the check's own, numbered on
        SagaSnapshot next = assertInstanceOf(Decision.Continue.class, decision).next();
        assertEquals(SagaStatus.COMPENSATING, next.status());
        assertEquals(0, next.stepIndex());
        assertEquals(0, next.attemptsUsed());
        assertEquals(2, next.attempt());
        assertEquals(new StepState(Effect.CHECKING, CONTACT, DELETED), next.stepState("create-contact"));
        assertEquals(Direction.VERIFY, SagaTransitions.direction(next));
        assertSame(CHECK_RETRY, SagaTransitions.policy(VERIFIED, next));
    }

    @Test
    void aPassedCheckCompensatesTheStepAndTheSagaEndsCompensated() {
        // given a saga whose compensation answered success and whose check is due
        SagaSnapshot saga = compensating(0, 1).withStepState("create-contact", new StepState(Effect.CHECKING, CONTACT, DELETED));

        // when the check answers as expected
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.StepSucceeded(JsonNodeFactory.instance.objectNode()
                .put("httpStatus", 404)));

        // then the step is compensated, keeping its forward output, and nothing is left to undo
        SagaSnapshot end = assertInstanceOf(Decision.End.class, decision).next();
        assertEquals(SagaStatus.COMPENSATED, end.status());
        assertEquals(new StepState(Effect.COMPENSATED, CONTACT), end.stepState("create-contact"));
    }

    @Test
    void aCheckThatKeepsFailingEscalatesTheSagaAsDrift() {
        // given a saga whose check has used its whole budget of 2
        SagaSnapshot saga = compensating(0, 2).withStepState("create-contact", new StepState(Effect.CHECKING, CONTACT, DELETED));

        // when the last check finds the contact still there
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.StepFailed(new UnavailableFailure(
                "the resource still exists (GET crm /contacts/42 answered 200)", null), 0.5));

        // then the saga is escalated as drift, saying what the compensation and the check answered
        SagaSnapshot escalated = assertInstanceOf(Decision.Escalate.class, decision).next();
        assertEquals(SagaStatus.ESCALATED, escalated.status());
        assertEquals("create-contact: drift: the compensation answered success but the resource still exists"
                + " (GET crm /contacts/42 answered 200) (after 2 checks; both answers are in the step's attempts)", escalated.lastError());
    }

    @Test
    void aFailedCheckWithBudgetLeftIsTriedAgainAfterItsBackoff() {
        // given a saga whose first check of 2 failed
        SagaSnapshot saga = compensating(0, 1).withStepState("create-contact", new StepState(Effect.CHECKING, CONTACT, DELETED));

        // when the run's attempts are over
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.StepFailed(new UnavailableFailure("still there", null), 0.5));

        // then it waits for the check's backoff, not the compensation's
        assertEquals(Duration.ofSeconds(1), assertInstanceOf(Decision.Park.class, decision).wakeIn());
    }

    @Test
    void aCompensationThatUndidNothingOnPurposeNeedsNoCheck() {
        // given a saga compensating a step whose effect was somebody else's
        SagaSnapshot saga = compensating(0, 1).withStepState("create-contact", new StepState(Effect.DONE, CONTACT));

        // when the compensation answers that it kept it
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.StepSucceeded(JsonNodeFactory.instance.objectNode()
                .put(CompensationCheck.UNDONE_FIELD, false).put("reason", "kept: it existed before this saga")));

        // then no check is made and the saga ends compensated, never escalated as drift
        assertEquals(SagaStatus.COMPENSATED, assertInstanceOf(Decision.End.class, decision).next().status());
    }

    @Test
    void aRetryAfterDriftMakesTheCompensationAgainNumberedAfterItsLastUndoAttemptThenChecks() {
        // given a saga escalated as drift after 3 compensation attempts and 2 checks
        SagaSnapshot saga = compensating(0, 2).withStepState("create-contact", new StepState(Effect.CHECKING, CONTACT, DELETED))
                .withStatus(SagaStatus.ESCALATED);

        // when an operator retries it
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.OperatorRetry(false, 3));

        // then it compensates the step again, with a fresh budget, attempt numbers going on from 3
        SagaSnapshot next = assertInstanceOf(Decision.Park.class, decision).next();
        assertEquals(SagaStatus.COMPENSATING, next.status());
        assertEquals(new StepState(Effect.DONE, CONTACT), next.stepState("create-contact"));
        assertEquals(Direction.COMPENSATION, SagaTransitions.direction(next));
        assertEquals(3, next.attempt());
        assertEquals(0, next.attemptsUsed());
    }

    @Test
    void aRetryAfterDriftThatDoesNotKnowTheUndoAttemptsStillNumbersAfterTheLastCheck() {
        // given a saga escalated as drift whose last check was attempt 5
        SagaSnapshot saga = compensating(0, 5).withStepState("create-contact", new StepState(Effect.CHECKING, CONTACT, DELETED))
                .withStatus(SagaStatus.ESCALATED);

        // when it is retried by a caller that does not count the undo's attempts
        SagaSnapshot next = SagaTransitions.decide(VERIFIED, saga, new Event.OperatorRetry(false)).next();

        // then the compensation's next attempt is 6: no attempt number of the step is used twice
        assertEquals(5, next.attempt());
        assertEquals(Direction.COMPENSATION, SagaTransitions.direction(next));
    }

    @Test
    void aSagaAwaitingItsCheckMovedToAnotherVersionUndoesAgainUnderIt() {
        // given a saga escalated as drift on a definition whose compensation is checked, after undo 1 and checks 2 and 3
        SagaSnapshot saga = compensating(0, 3).withStepState("create-contact", new StepState(Effect.CHECKING, CONTACT, DELETED))
                .withStatus(SagaStatus.ESCALATED).withDefinition(1, "old-hash");

        // when an operator moves it to a version that declares no check
        Decision decision = SagaTransitions.decide(VERIFIED, saga, new Event.OperatorReplan(USER_SYNC_LIKE_VERIFIED, false, "alice"));

        // then it compensates the step again under that version, numbered after the checks, instead of a check it has not
        SagaSnapshot next = assertInstanceOf(Decision.Park.class, decision).next();
        assertEquals(new StepState(Effect.DONE, CONTACT), next.stepState("create-contact"));
        assertEquals(Direction.COMPENSATION, SagaTransitions.direction(next));
        assertEquals(3, next.attempt());
    }

    /** VERIFIED without the check, as a later version that dropped it. */
    private static final SagaDefinition USER_SYNC_LIKE_VERIFIED = new SagaDefinition("user-sync", 2, "in memory", List.of(
            new StepDefinition("create-contact", StepKind.REMOTE, "createContact", "deleteContact", Duration.ofSeconds(5), RETRY,
                    RETRY, FailurePolicy.COMPENSATE),
            new StepDefinition("save-liaison", StepKind.LOCAL, "saveLiaison", "deleteLiaison", Duration.ofSeconds(5), RETRY, RETRY,
                    FailurePolicy.COMPENSATE)), "hash-2", "in memory 2");

    private static SagaSnapshot running(int stepIndex, int attempt) {
        return new SagaSnapshot(UUID.randomUUID(), "user-sync", 1, "hash", SagaStatus.RUNNING, "key",
                JsonNodeFactory.instance.objectNode().put("name", "张三"), null, stepIndex, attempt, 0, Map.of(), 1, null, Instant.EPOCH, null);
    }

    private static SagaSnapshot compensating(int stepIndex, int attempt) {
        return running(stepIndex, attempt).withStatus(SagaStatus.COMPENSATING);
    }

    private static SagaSnapshot completed() {
        return running(2, 0).withStepState("tt-add-user", new StepState(Effect.DONE, TT_USER))
                .withStepState("save-liaison", new StepState(Effect.DONE, LIAISON)).withResult(LIAISON).withStatus(SagaStatus.COMPLETED);
    }

    private static SagaDefinition definition(StepDefinition... steps) {
        return new SagaDefinition("user-sync", 1, "in memory", List.of(steps), "hash", "in memory");
    }
}
