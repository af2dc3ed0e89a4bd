package io.sagaorchestrator.check;

import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.definitions.BookingWithAForEach;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.SignupWithAGroup;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failure-point matrix, walked in memory through the core's rules: what the engine does at each failure point. */
class FailurePointsTest {

    /** Reserve stock, charge the card, save the order here; each remote step undone by a declared call. */
    private static final String ORDER = """
            name: order
            version: 1
            deadline: 10m
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: inventory, path: /reservations, output: { id: /id } }
                retry: { attempts: 4, inProcess: { attempts: 2, delay: 0s }, backoff: { initialDelay: 5s, multiplier: 2, maxDelay: 1m } }
                compensation:
                  http: { method: DELETE, target: inventory, path: "/reservations/${step.idempotencyKey}" }
                compensationRetry: { attempts: 3, inProcess: { attempts: 1, delay: 0s }, backoff: { initialDelay: 10s, multiplier: 2, maxDelay: 1m } }
              - name: charge
                type: remote
                http: { method: POST, target: payments, path: /charges }
                retry: { attempts: 1 }
                compensation:
                  http: { method: POST, target: payments, path: "/charges/${step.idempotencyKey}/refund" }
              - name: save-order
                type: local
                action: saveLiaison
                compensation: deleteLiaison
            """;

    private static SagaDefinition order() {
        return new DefinitionParser(NamedActions.SHIPPED).parse("order.yaml", ORDER);
    }

    private static FailurePoint at(List<FailurePoint> points, String step, FailureKind kind) {
        return points.stream().filter(p -> p.step().equals(step) && p.failure() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no failure point " + kind + " at " + step + " in " + points));
    }

    @Test
    void aRejectedLaterStepUndoesTheEarlierOnesInReverse() {
        // given the order saga; when its local save is rejected
        FailurePoint p = at(FailurePoints.of(order()), "save-order", FailureKind.REJECTED);

        // then both remote steps are undone, the latest first, and the saga ends COMPENSATED
        assertEquals(List.of("reserve: ok", "charge: ok", "save-order: fails, rejected",
                "undo charge (POST payments /charges/${step.idempotencyKey}/refund): ok",
                "undo reserve (DELETE inventory /reservations/${step.idempotencyKey}): ok"), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
        assertNull(p.reason());
    }

    @Test
    void anUnknownOutcomeIsRetriedOnItsBudgetThenTheStepItselfIsUndone() {
        // given the order saga; when every answer of reserve is lost
        FailurePoint p = at(FailurePoints.of(order()), "reserve", FailureKind.UNKNOWN_OUTCOME);

        // then 4 attempts are made in 2 runs with the first backoff between them, and reserve (which may have happened)
        // is undone
        assertEquals(List.of("reserve: fails, outcome unknown (4 attempts in 2 runs), waiting 5s between runs",
                "undo reserve (DELETE inventory /reservations/${step.idempotencyKey}): ok"), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aRejectionBeforeAnyEffectEndsCompensatedWithNothingUndone() {
        FailurePoint p = at(FailurePoints.of(order()), "reserve", FailureKind.REJECTED);

        assertEquals(List.of("reserve: fails, rejected", "nothing took effect, so nothing is undone"), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aCompensationThatKeepsFailingEscalatesAndSaysWhichStep() {
        // given the order saga; when charge is rejected and the release of the reservation fails every time
        FailurePoint p = at(FailurePoints.of(order()), "reserve", FailureKind.COMPENSATION_FAILS);

        // then its budget of 3 attempts is spent, one per run with growing waits, and the saga is ESCALATED naming reserve
        assertEquals("charge is rejected", p.trigger());
        assertEquals("undo reserve (DELETE inventory /reservations/${step.idempotencyKey}): fails, unavailable"
                + " (3 attempts in 3 runs), waiting 10s to 20s between runs", p.path().get(p.path().size() - 1));
        assertEquals(SagaStatus.ESCALATED, p.end());
        assertTrue(p.reason().startsWith("reserve: UnavailableFailure"), p.reason());
    }

    @Test
    void aKillAfterTheIntentOfAStepWithOneAttemptUndoesWhatMayHaveHappened() {
        // given charge has a budget of one attempt; when the process dies after its intent
        FailurePoint p = at(FailurePoints.of(order()), "charge", FailureKind.KILL_AFTER_INTENT);

        // then recovery may not try again: charge may have happened, so it is undone, then reserve
        assertEquals(List.of("reserve: ok", "killed after the intent of charge's attempt 1; recovery finds it without outcome",
                "charge: fails, no attempt left",
                "undo charge (POST payments /charges/${step.idempotencyKey}/refund): ok",
                "undo reserve (DELETE inventory /reservations/${step.idempotencyKey}): ok"), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aKillAfterTheIntentOfAStepWithAttemptsLeftIsRetriedAndCompletes() {
        FailurePoint p = at(FailurePoints.of(order()), "reserve", FailureKind.KILL_AFTER_INTENT);

        assertEquals(SagaStatus.COMPLETED, p.end());
        assertEquals("reserve: ok", p.path().get(1));
    }

    @Test
    void thePassingDeadlineUndoesWhatWasDone() {
        // given the order saga has a deadline of 10 minutes; when it passes while the saga stands on save-order
        FailurePoint p = at(FailurePoints.of(order()), "save-order", FailureKind.DEADLINE_PASSES);

        assertEquals(List.of("reserve: ok", "charge: ok", "the deadline passes at save-order",
                "undo charge (POST payments /charges/${step.idempotencyKey}/refund): ok",
                "undo reserve (DELETE inventory /reservations/${step.idempotencyKey}): ok"), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void theLastStepsCompensationIsReachedOnlyByAnOperator() {
        // given nothing after save-order can fail; when its compensation fails
        FailurePoint p = at(FailurePoints.of(order()), "save-order", FailureKind.COMPENSATION_FAILS);

        // then the walk completes the saga, an operator undoes it, and the failing undo escalates
        assertEquals("an operator compensates the completed saga", p.trigger());
        assertTrue(p.path().contains("completed; an operator asks to compensate it"), p.path().toString());
        assertEquals(SagaStatus.ESCALATED, p.end());
    }

    @Test
    void eachStepMeetsTheFailuresItsKindCanMeet() {
        List<FailurePoint> points = FailurePoints.of(order());

        // a local step commits with the log: it has no unknown outcome and no intent, but a commit a kill can follow
        assertFalse(points.stream().anyMatch(p -> p.step().equals("save-order") && p.failure() == FailureKind.UNKNOWN_OUTCOME));
        at(points, "save-order", FailureKind.KILL_AFTER_LOCAL_COMMIT);
        // charge has one attempt: spending its budget is the same as one failure, so it is not listed twice
        assertFalse(points.stream().anyMatch(p -> p.step().equals("charge") && p.failure() == FailureKind.BUDGET_SPENT));
        assertTrue(points.stream().allMatch(p -> p.end().isTerminal()));
    }

    @Test
    void aFalseConditionIsAPathOfItsOwnAndEveryOtherWalkRunsTheStep() {
        // given the order saga charges only what is above zero
        SagaDefinition conditional = new DefinitionParser(NamedActions.SHIPPED).parse("order.yaml",
                ORDER.replace("  - name: charge\n    type: remote\n", "  - name: charge\n    type: remote\n    when: input.amount > 0\n"));
        List<FailurePoint> points = FailurePoints.of(conditional);

        // when its condition is false, then charge is skipped, the saga goes on and completes
        FailurePoint skipped = at(points, "charge", FailureKind.CONDITION_FALSE);
        assertEquals(List.of("reserve: ok", "charge: skipped, its condition is false (input.amount > 0)", "save-order: ok"),
                skipped.path());
        assertEquals(SagaStatus.COMPLETED, skipped.end());
        // and the other walks take the condition as true, so that charge meets its failures and is undone
        assertEquals(List.of("reserve: ok", "charge: ok", "save-order: fails, rejected",
                "undo charge (POST payments /charges/${step.idempotencyKey}/refund): ok",
                "undo reserve (DELETE inventory /reservations/${step.idempotencyKey}): ok"),
                at(points, "save-order", FailureKind.REJECTED).path());
    }

    /** Reserve, wait for an approval that may refuse, charge. */
    private static final String APPROVAL = """
            name: approval
            version: 1
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
              - await:
                  name: manager-approval
                  signal: approval
                  payload: { approved: { type: boolean, required: true } }
                  timeout: 48h
                  onTimeout: %s
                  rejectWhen: signal.approved == false
              - name: charge
                type: remote
                http: { method: POST, target: shop, path: /charges }
                compensation:
                  http: { method: POST, target: shop, path: "/charges/${step.idempotencyKey}/refund" }
            """;

    @Test
    void anAwaitMeetsItsTimeoutARefusalAndAKillWhileWaiting() {
        List<FailurePoint> points = FailurePoints.of(new DefinitionParser(NamedActions.SHIPPED).parse("approval.yaml",
                APPROVAL.formatted("compensate")));

        FailurePoint timeout = at(points, "manager-approval", FailureKind.WAIT_TIMES_OUT);
        assertEquals(SagaStatus.COMPENSATED, timeout.end());
        assertEquals(List.of("reserve: ok", "manager-approval: waits for signal 'approval', released (no thread, no lease), up to 48h",
                "no signal 'approval' comes within 48h: onTimeout compensate",
                "undo reserve (DELETE shop /reservations/${step.idempotencyKey}): ok"), timeout.path());
        FailurePoint refused = at(points, "manager-approval", FailureKind.SIGNAL_REFUSED);
        assertEquals(SagaStatus.COMPENSATED, refused.end());
        assertTrue(refused.path().contains("manager-approval: signal 'approval' comes, a refusal (signal.approved == false)"),
                refused.path().toString());
        assertEquals(SagaStatus.COMPLETED, at(points, "manager-approval", FailureKind.KILLED_WHILE_WAITING).end());
        // an await calls nothing: it has no unknown outcome, no intent, no rejection of its own
        assertFalse(points.stream().anyMatch(p -> p.step().equals("manager-approval") && p.failure() == FailureKind.REJECTED));
        // the later steps go through the await on a signal
        assertTrue(at(points, "charge", FailureKind.REJECTED).path().contains("manager-approval: signal 'approval' comes"));
    }

    @Test
    void anAwaitThatEscalatesOnTimeoutEndsEscalated() {
        List<FailurePoint> points = FailurePoints.of(new DefinitionParser(NamedActions.SHIPPED).parse("approval.yaml",
                APPROVAL.formatted("escalate")));

        FailurePoint timeout = at(points, "manager-approval", FailureKind.WAIT_TIMES_OUT);
        assertEquals(SagaStatus.ESCALATED, timeout.end());
        assertTrue(timeout.reason().contains("no signal 'approval' came within 48h"), timeout.reason());
    }


    private static final String UNDO_CRM = "undo crm-contact (DELETE crm /contacts/${step.idempotencyKey}): ok";
    private static final String UNDO_MAILBOX = "undo mailbox (DELETE mail /boxes/${step.idempotencyKey}): ok";
    private static final String UNDO_RESERVE = "undo reserve (DELETE shop /reservations/${step.idempotencyKey}): ok";

    private static List<FailurePoint> signup(String groupKeys) {
        return FailurePoints.of(SignupWithAGroup.withGroupKeys(groupKeys));
    }

    @Test
    void aBranchRefusedWhileItsSiblingIsInFlightUndoesTheSiblingThenTheStepsBefore() {
        // given both branches start together; when the CRM refuses the contact
        FailurePoint p = at(signup(""), "crm-contact", FailureKind.REJECTED);

        // then the mailbox, in flight, ends; it took effect, so it is undone, then the reservation; the refused contact is not
        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact and mailbox together",
                "crm-contact: fails, rejected", "group accounts starts no further branch; mailbox, in flight, ends",
                "mailbox: ok", UNDO_MAILBOX, UNDO_RESERVE), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aBranchWhoseBudgetIsSpentIsTriedAloneAgainAndTheGroupIsUndoneOnceItGivesUp() {
        FailurePoint p = at(signup(""), "crm-contact", FailureKind.BUDGET_SPENT);

        // a branch that may try again stops nothing; the mailbox is done and is not run again: only the open branch is
        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact and mailbox together",
                "crm-contact: fails, unavailable", "mailbox: ok", "group accounts runs again in 5s, for crm-contact",
                "crm-contact: fails, unavailable", UNDO_MAILBOX, UNDO_RESERVE), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aBranchWhoseOutcomeIsUnknownIsUndoneWithItsSiblingsInReverseOrder() {
        FailurePoint p = at(signup(""), "crm-contact", FailureKind.UNKNOWN_OUTCOME);

        // the contact may have been made: it is undone too, after the mailbox, which comes after it in the group
        assertEquals(List.of(UNDO_MAILBOX, UNDO_CRM, UNDO_RESERVE), p.path().subList(p.path().size() - 3, p.path().size()));
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aBranchThatFailsWhenItsSiblingIsDoneUndoesTheSibling() {
        FailurePoint p = at(signup(""), "mailbox", FailureKind.REJECTED);

        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact and mailbox together", "crm-contact: ok",
                "mailbox: fails, rejected", UNDO_CRM, UNDO_RESERVE), p.path());
    }

    @Test
    void oneBranchAtATimeStartsNoFurtherBranchOnceOneHasFailed() {
        FailurePoint p = at(signup("      maxConcurrency: 1\n"), "crm-contact", FailureKind.REJECTED);

        // the mailbox never started, so there is nothing of it to undo
        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact (at most 1 at once)",
                "crm-contact: fails, rejected", "group accounts starts no further branch; mailbox does not start",
                UNDO_RESERVE), p.path());
        // and when the contact succeeds, or fails but may try again after its backoff, its place goes to the mailbox
        assertTrue(at(signup("      maxConcurrency: 1\n"), "mailbox", FailureKind.REJECTED).path()
                .contains("group accounts starts mailbox as crm-contact ends"));
        FailurePoint retried = at(signup("      maxConcurrency: 1\n"), "crm-contact", FailureKind.BUDGET_SPENT);
        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact (at most 1 at once)",
                "crm-contact: fails, unavailable", "group accounts starts mailbox as crm-contact ends", "mailbox: ok",
                "group accounts runs again in 5s, for crm-contact", "crm-contact: fails, unavailable", UNDO_MAILBOX, UNDO_RESERVE),
                retried.path());
    }

    @Test
    void aKillAfterTheIntentsLeavesEveryBranchInFlightWithoutOutcomeAndABranchWithoutAttemptsLeftFailsTheGroup() {
        FailurePoint p = at(signup(""), "mailbox", FailureKind.KILL_AFTER_INTENT);

        // the mailbox had one attempt: the group gives up before its next run starts anything, and everything that may
        // have happened is undone, the contact too, which is not tried again
        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact and mailbox together",
                "killed after the intents of crm-contact and mailbox (group accounts commits them together); recovery finds"
                        + " them without outcome", "mailbox: fails, no attempt left",
                "group accounts starts no further branch; crm-contact does not start", UNDO_MAILBOX, UNDO_CRM, UNDO_RESERVE),
                p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void aBranchThatEscalatesLeavesItsSiblingsForAPerson() {
        List<FailurePoint> points = FailurePoints.of(new DefinitionParser(NamedActions.SHIPPED).parse("signup.yaml",
                SignupWithAGroup.YAML.formatted("").replace("      retry: { attempts: 1 }\n",
                        "      retry: { attempts: 1 }\n          onFailure: escalate\n")));

        FailurePoint p = at(points, "mailbox", FailureKind.REJECTED);

        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact and mailbox together", "crm-contact: ok",
                "mailbox: fails, rejected"), p.path());
        assertEquals(SagaStatus.ESCALATED, p.end());
        assertTrue(p.reason().startsWith("group accounts: mailbox: RejectedFailure"), p.reason());
        // a sibling's refusal still undoes the group, the escalating branch with it
        assertEquals(SagaStatus.COMPENSATED, at(points, "crm-contact", FailureKind.REJECTED).end());
    }

    @Test
    void aBranchsCompensationRunsWhenItsSiblingFails() {
        FailurePoint p = at(signup(""), "crm-contact", FailureKind.COMPENSATION_FAILS);

        assertEquals("mailbox is rejected", p.trigger());
        assertEquals(SagaStatus.ESCALATED, p.end());
        assertTrue(p.path().get(p.path().size() - 1).startsWith("undo crm-contact (DELETE crm /contacts/${step.idempotencyKey}):"
                + " fails, unavailable"), p.path().toString());
    }

    @Test
    void aGroupsFalseConditionSkipsEveryBranch() {
        FailurePoint p = at(signup("      when: input.amount > 0\n"), "crm-contact", FailureKind.CONDITION_FALSE);

        assertEquals(List.of("reserve: ok", "crm-contact: skipped, its condition is false (input.amount > 0)",
                "mailbox: skipped, its group's condition is false (input.amount > 0)", "save-order: ok"), p.path());
        assertEquals(SagaStatus.COMPLETED, p.end());
    }

    @Test
    void eachBranchMeetsItsFailuresAndTheDeadlinePassesOnceForTheGroup() {
        List<FailurePoint> points = signup("");

        for (String branch : List.of("crm-contact", "mailbox")) {
            for (FailureKind kind : List.of(FailureKind.REJECTED, FailureKind.UNKNOWN_OUTCOME, FailureKind.KILL_AFTER_INTENT,
                    FailureKind.COMPENSATION_FAILS)) {
                at(points, branch, kind);
            }
        }
        FailurePoint deadline = at(points, "crm-contact", FailureKind.DEADLINE_PASSES);
        assertTrue(deadline.path().contains("the deadline passes at group accounts"), deadline.path().toString());
        assertFalse(points.stream().anyMatch(p -> p.step().equals("mailbox") && p.failure() == FailureKind.DEADLINE_PASSES));
        // a step after the group undoes both branches, the last written first
        assertEquals(List.of(UNDO_MAILBOX, UNDO_CRM, UNDO_RESERVE), at(points, "save-order", FailureKind.REJECTED).path()
                .subList(5, 8));
    }

    @Test
    void aSagaThatOpensAndEndsWithAGroupIsWalkedToTheEndAtEveryPoint() {
        // given two groups back to back, the first opening the saga, the second ending it
        String branch = """
                        - name: %s
                          type: remote
                          http: { method: POST, target: %s, path: /things }
                          compensation:
                            http: { method: DELETE, target: %s, path: "/things/${step.idempotencyKey}" }
                """;
        String yaml = "name: both\nversion: 1\nsteps:\n"
                + "  - parallel:\n      name: first\n      steps:\n" + branch.formatted("a", "a", "a") + branch.formatted("b", "b", "b")
                + "  - parallel:\n      name: second\n      steps:\n" + branch.formatted("c", "c", "c") + branch.formatted("d", "d", "d");

        List<FailurePoint> points = FailurePoints.of(new DefinitionParser(NamedActions.SHIPPED).parse("both.yaml", yaml));

        // when a branch of the second group is refused, its sibling and both branches of the first are undone, in reverse
        assertEquals(List.of("group first starts a and b together", "a: ok", "b: ok", "group second starts c and d together",
                "c: fails, rejected", "group second starts no further branch; d, in flight, ends", "d: ok", "undo d (DELETE d /things/${step.idempotencyKey}): ok",
                "undo b (DELETE b /things/${step.idempotencyKey}): ok", "undo a (DELETE a /things/${step.idempotencyKey}): ok"),
                at(points, "c", FailureKind.REJECTED).path());
        // and the last branch's undo runs when its own answer is lost, with the whole group's
        FailurePoint undoFails = at(points, "d", FailureKind.COMPENSATION_FAILS);
        assertEquals("d's outcome stays unknown", undoFails.trigger());
        assertEquals(SagaStatus.ESCALATED, undoFails.end());
        assertTrue(points.stream().allMatch(p -> p.end().isTerminal()));
    }

    private static final String UNDONE_SIDE_BY_SIDE = "      compensation: parallel\n";

    @Test
    void aFailureAfterAGroupUndoneSideBySideUndoesEveryBranchAtOnceThenTheStepsBefore() {
        // given the accounts undone side by side; when the save after them is refused
        FailurePoint p = at(signup(UNDONE_SIDE_BY_SIDE), "save-order", FailureKind.REJECTED);

        // then both undos start together, and the reservation is undone only once both are
        assertEquals(List.of("reserve: ok", "group accounts starts crm-contact and mailbox together", "crm-contact: ok",
                "mailbox: ok", "save-order: fails, rejected", "group accounts undoes crm-contact and mailbox side by side",
                UNDO_CRM, UNDO_MAILBOX, UNDO_RESERVE), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void anUndoThatKeepsFailingEscalatesNamingItsBranchOnceItsSiblingIsUndone() {
        // given the accounts undone side by side; when the mailbox's undo fails on every attempt of its budget
        FailurePoint p = at(signup(UNDONE_SIDE_BY_SIDE), "mailbox", FailureKind.COMPENSATION_FAILS);

        // then the contact is undone beside it, the group runs again for the mailbox alone, and a person must decide;
        // the reservation is left as it is
        assertEquals(List.of("save-order: fails, rejected", "group accounts undoes crm-contact and mailbox side by side",
                UNDO_CRM, "undo mailbox (DELETE mail /boxes/${step.idempotencyKey}): fails, unavailable (3 attempts)",
                "group accounts runs again in 2s, for the undo of mailbox",
                "undo mailbox (DELETE mail /boxes/${step.idempotencyKey}): fails, unavailable (2 attempts)"),
                p.path().subList(4, p.path().size()));
        assertEquals(SagaStatus.ESCALATED, p.end());
        assertTrue(p.reason().startsWith("group accounts, undone side by side: mailbox: UnavailableFailure"), p.reason());
    }

    @Test
    void aKillWhileTheUndosAreInFlightMakesThemAgainAndEverythingIsUndone() {
        // given the accounts undone side by side; when the process dies once both undos' intents have committed
        FailurePoint p = at(signup(UNDONE_SIDE_BY_SIDE), "mailbox", FailureKind.KILL_WHILE_UNDOING);

        // then recovery finds both without outcome, makes both again, and then undoes the reservation
        assertEquals(List.of("save-order: fails, rejected", "group accounts undoes crm-contact and mailbox side by side",
                "killed after the intents of the undos of crm-contact and mailbox (group accounts commits them together);"
                        + " recovery finds them without outcome"), p.path().subList(4, 7));
        assertTrue(p.path().contains(UNDO_RESERVE), p.path().toString());
        assertEquals(SagaStatus.COMPENSATED, p.end());
        // and a group undone one at a time has no such point: its undos are never in flight together
        assertTrue(signup("").stream().noneMatch(q -> q.failure() == FailureKind.KILL_WHILE_UNDOING));
    }

    @Test
    void anUndoThatGivesUpStopsNoneOfItsSiblingsUndos() {
        // given one undo at a time, the contact's undo with one attempt, and the mailbox escalating rather than compensating
        // (so that the save's refusal, not the mailbox's, sends the saga back through both branches)
        List<FailurePoint> points = FailurePoints.of(new DefinitionParser(NamedActions.SHIPPED).parse("signup.yaml",
                SignupWithAGroup.YAML.formatted("      maxConcurrency: 1\n" + UNDONE_SIDE_BY_SIDE)
                        .replace("maxDelay: 1m } }\n", "maxDelay: 1m } }\n          compensationRetry: { attempts: 1 }\n")
                        .replace("      retry: { attempts: 1 }\n", "      retry: { attempts: 1 }\n          onFailure: escalate\n")));

        // when the contact's undo is refused
        FailurePoint p = at(points, "crm-contact", FailureKind.COMPENSATION_FAILS);

        // then the mailbox's undo still takes its place, and only then does the saga escalate, naming the contact
        assertEquals(List.of("save-order: fails, rejected", "group accounts undoes crm-contact (at most 1 at once)",
                "undo crm-contact (DELETE crm /contacts/${step.idempotencyKey}): fails, rejected",
                "group accounts undoes mailbox as the undo of crm-contact ends", UNDO_MAILBOX),
                p.path().subList(5, p.path().size()));
        assertEquals(SagaStatus.ESCALATED, p.end());
        assertTrue(p.reason().startsWith("group accounts, undone side by side: crm-contact: RejectedFailure"), p.reason());
    }

    private static final String UNDO_HOLD = "undo hold-flight (DELETE airline /holds/${step.idempotencyKey}): ok";

    private static String undoSeat(int index) {
        return "undo assign-seat[" + index + "] (DELETE airline /seats/${item.number}): ok";
    }

    private static List<FailurePoint> booking(String forEachKeys) {
        return FailurePoints.of(BookingWithAForEach.withForEachKeys(forEachKeys));
    }

    @Test
    void aForEachIsWalkedOverAFullListSoThatAFailureAfterItUndoesEveryItem() {
        // given a booking whose list of seats the walk's empty input does not hold; when the save after the seats is rejected
        FailurePoint p = at(booking("      maxConcurrency: 2\n"), "save-order", FailureKind.REJECTED);

        // then the walk took the list to be full: every seat was taken, two at once, and every one is undone, the last first
        assertEquals(List.of("hold-flight: ok", "group seats starts assign-seat[0] and assign-seat[1] together (at most 2 at once)",
                "assign-seat[0]: ok", "group seats starts assign-seat[2] as assign-seat[0] ends", "assign-seat[1]: ok",
                "assign-seat[2]: ok", "save-order: fails, rejected", undoSeat(2), undoSeat(1), undoSeat(0), UNDO_HOLD), p.path());
        assertEquals(SagaStatus.COMPENSATED, p.end());
    }

    @Test
    void theFirstItemOfAForEachStandsForTheOthersWhichFailAsItDoes() {
        List<FailurePoint> points = booking("");

        // the matrix lists the seats' failure points once, not once per possible seat
        assertEquals(List.of("hold-flight", "assign-seat[0]", "save-order"),
                points.stream().map(FailurePoint::step).distinct().toList());
        // and the walk of the first seat still runs the whole group: its refusal stops the seats beside it, which are undone
        assertEquals(List.of("hold-flight: ok", "group seats starts assign-seat[0], assign-seat[1] and assign-seat[2] together",
                "assign-seat[0]: fails, rejected", "group seats starts no further branch; assign-seat[1] and assign-seat[2], in"
                        + " flight, end", "assign-seat[1]: ok", "assign-seat[2]: ok", undoSeat(2), undoSeat(1), UNDO_HOLD),
                at(points, "assign-seat[0]", FailureKind.REJECTED).path());
    }
}
