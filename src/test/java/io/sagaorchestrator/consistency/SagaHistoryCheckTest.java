package io.sagaorchestrator.consistency;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history check of the consistency suite accepts exactly the valid saga executions
 * (T1..Tn, or T1..Tj then Cj..C1, retries aside), so that a green suite means something.
 */
class SagaHistoryCheckTest {

    private static final String ADD = "tt-add-user";
    private static final String SAVE = "save-liaison";
    private static final String LINK = "link-liaison";
    private static String definition = "user-sync";

    @Test
    void completedAndCompensatedHistoriesWithRetriesAreValid() {
        assertValid("COMPLETED", t(ADD, "SUCCEEDED"), t(SAVE, "SUCCEEDED"));
        assertValid("COMPLETED", t(ADD, "UNKNOWN"), t(ADD, "FAILED"), t(ADD, "SUCCEEDED"), t(SAVE, "UNKNOWN"), t(SAVE, "SUCCEEDED"));
        assertValid("COMPENSATED", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "UNKNOWN"), c(ADD, "SUCCEEDED"));
        // an add whose outcome stayed unknown may have created the user: it is undone too
        assertValid("COMPENSATED", t(ADD, "UNKNOWN"), t(ADD, "UNKNOWN"), c(ADD, "SUCCEEDED"));
        // refused for good: nothing took effect, nothing to undo
        assertValid("COMPENSATED", t(ADD, "REJECTED"));
    }

    @Test
    void anEscalatedHistoryStopsAtTheCompensationThatCouldNotBeDone() {
        assertValid("ESCALATED", t(ADD, "UNKNOWN"), t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "REJECTED"));
        assertInvalid("ESCALATED", "every step that took effect was undone", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "SUCCEEDED"));
        assertInvalid("ESCALATED", "without trying to undo", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"));
    }

    @Test
    void stepsOutOfOrderOrDoneTwiceAreInvalid() {
        assertInvalid("COMPLETED", "began before step tt-add-user succeeded", t(ADD, "UNKNOWN"), t(SAVE, "SUCCEEDED"));
        assertInvalid("COMPLETED", "executed twice", t(ADD, "SUCCEEDED"), t(ADD, "SUCCEEDED"), t(SAVE, "SUCCEEDED"));
        assertInvalid("COMPENSATED", "after compensation began", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "SUCCEEDED"),
                t(SAVE, "REJECTED"));
        assertInvalid("COMPENSATED", "executed twice", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "SUCCEEDED"), c(ADD, "SUCCEEDED"));
    }

    @Test
    void anUndoMissingOrOfSomethingNeverDoneIsInvalid() {
        assertInvalid("COMPENSATED", "took effect and was not undone", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"));
        assertInvalid("COMPENSATED", "never took effect", t(ADD, "FAILED"), c(ADD, "SUCCEEDED"));
        assertInvalid("COMPLETED", "not every forward step succeeded", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"));
        assertInvalid("COMPLETED", "an intent without an outcome", t(ADD, "PENDING"), t(ADD, "SUCCEEDED"), t(SAVE, "SUCCEEDED"));
    }

    @Test
    void theOutboxDefinitionSavesFirstThenAddsThenLinks() {
        definition = ConsistencyChecks.OUTBOX;
        try {
            assertValid("COMPLETED", t(SAVE, "SUCCEEDED"), t(ADD, "UNKNOWN"), t(ADD, "SUCCEEDED"), t(LINK, "SUCCEEDED"));
            // refused locally before TT was called: nothing to undo
            assertValid("COMPENSATED", t(SAVE, "REJECTED"));
            // TT refused for good: the saved liaison is undone (marked REJECTED)
            assertValid("COMPENSATED", t(SAVE, "SUCCEEDED"), t(ADD, "REJECTED"), c(SAVE, "SUCCEEDED"));
            assertValid("COMPENSATED", t(SAVE, "SUCCEEDED"), t(ADD, "SUCCEEDED"), t(LINK, "REJECTED"), c(ADD, "SUCCEEDED"),
                    c(SAVE, "SUCCEEDED"));
            assertInvalid("COMPLETED", "began before step save-liaison succeeded", t(ADD, "SUCCEEDED"), t(SAVE, "SUCCEEDED"),
                    t(LINK, "SUCCEEDED"));
            assertInvalid("COMPLETED", "not every forward step succeeded", t(SAVE, "SUCCEEDED"), t(ADD, "SUCCEEDED"));
            assertInvalid("COMPENSATED", "step save-liaison took effect and was not undone", t(SAVE, "SUCCEEDED"), t(ADD, "REJECTED"));
            assertInvalid("COMPENSATED", "before step tt-add-user was undone", t(SAVE, "SUCCEEDED"), t(ADD, "UNKNOWN"),
                    t(ADD, "REJECTED"), c(SAVE, "SUCCEEDED"));
            assertInvalid("COMPLETED", "began before step tt-add-user succeeded", t(SAVE, "SUCCEEDED"), t(ADD, "UNKNOWN"),
                    t(LINK, "SUCCEEDED"));
        } finally {
            definition = "user-sync";
        }
    }

    @Test
    void theBranchesOfAGroupBeginSideBySideAndAreUndoneSideBySide() {
        String reserve = "reserve-stock", charge = "charge-payment", ship = "book-shipment";
        definition = OrderCheckoutChecks.FULFILMENT;
        try {
            // the branches' attempts interleave, in any order, a retry among them
            assertValid("COMPLETED", t(ship, "SUCCEEDED"), t(reserve, "UNKNOWN"), t(charge, "SUCCEEDED"), t(reserve, "SUCCEEDED"));
            // the card declined beside the other two: they are undone side by side, in either order; the charge did nothing
            assertValid("COMPENSATED", t(reserve, "SUCCEEDED"), t(charge, "REJECTED"), t(ship, "UNKNOWN"), c(ship, "SUCCEEDED"),
                    c(reserve, "SUCCEEDED"));
            assertValid("COMPENSATED", t(reserve, "SUCCEEDED"), t(charge, "REJECTED"), t(ship, "SUCCEEDED"),
                    c(reserve, "UNKNOWN"), c(ship, "SUCCEEDED"), c(reserve, "SUCCEEDED"));
            // an undo that gave up does not stop its sibling's
            assertValid("ESCALATED", t(reserve, "SUCCEEDED"), t(charge, "REJECTED"), t(ship, "SUCCEEDED"),
                    c(ship, "REJECTED"), c(reserve, "SUCCEEDED"));
            assertInvalid("COMPENSATED", "step book-shipment took effect and was not undone", t(reserve, "SUCCEEDED"),
                    t(charge, "REJECTED"), t(ship, "UNKNOWN"), c(reserve, "SUCCEEDED"));
            assertInvalid("COMPENSATED", "after compensation began", t(reserve, "SUCCEEDED"), t(charge, "REJECTED"),
                    c(reserve, "SUCCEEDED"), t(ship, "SUCCEEDED"));
            assertInvalid("COMPENSATED", "executed twice", t(reserve, "SUCCEEDED"), t(charge, "REJECTED"), t(ship, "SUCCEEDED"),
                    c(reserve, "SUCCEEDED"), c(ship, "SUCCEEDED"), c(reserve, "SUCCEEDED"));
        } finally {
            definition = "user-sync";
        }
    }

    private static int clock;

    private static ConsistencyChecks.Attempt t(String step, String outcome) {
        return attempt(step, "FORWARD", outcome);
    }

    @Test
    void aCheckOfAnUndoFollowsItsSucceededCompensationAndADriftedUndoMayBeMadeAgain() {
        // the check right after the delete that succeeded
        assertValid("COMPENSATED", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "SUCCEEDED"), v(ADD, "FAILED"), v(ADD, "SUCCEEDED"));
        // drift, then an operator's retry: the delete again, then its check
        assertValid("COMPENSATED", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "SUCCEEDED"), v(ADD, "FAILED"), c(ADD, "SUCCEEDED"),
                v(ADD, "SUCCEEDED"));
        assertInvalid("COMPENSATED", "before the step's compensation succeeded", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"),
                c(ADD, "UNKNOWN"), v(ADD, "SUCCEEDED"), c(ADD, "SUCCEEDED"));
        // a check that passed leaves nothing to undo again
        assertInvalid("COMPENSATED", "executed twice", t(ADD, "SUCCEEDED"), t(SAVE, "REJECTED"), c(ADD, "SUCCEEDED"),
                v(ADD, "SUCCEEDED"), c(ADD, "SUCCEEDED"));
    }

    private static ConsistencyChecks.Attempt v(String step, String outcome) {
        return attempt(step, "VERIFY", outcome);
    }

    private static ConsistencyChecks.Attempt c(String step, String outcome) {
        return attempt(step, "COMPENSATION", outcome);
    }

    private static ConsistencyChecks.Attempt attempt(String step, String direction, String outcome) {
        return new ConsistencyChecks.Attempt(step, direction, 0, outcome, "i", Instant.EPOCH.plusSeconds(++clock));
    }

    private static List<String> check(String status, ConsistencyChecks.Attempt... attempts) {
        // number the attempts per step and direction, as the log does
        List<ConsistencyChecks.Attempt> numbered = new ArrayList<>();
        for (ConsistencyChecks.Attempt a : attempts) {
            int n = (int) numbered.stream().filter(b -> b.step().equals(a.step()) && b.direction().equals(a.direction())).count() + 1;
            numbered.add(new ConsistencyChecks.Attempt(a.step(), a.direction(), n, a.outcome(), a.instance(), a.startedAt()));
        }
        return ConsistencyChecks.history(new ConsistencyChecks.Saga("s", status, "k", "u", null, "why", definition), numbered);
    }

    private static void assertValid(String status, ConsistencyChecks.Attempt... attempts) {
        assertEquals(List.of(), check(status, attempts), status + " " + List.of(attempts));
    }

    private static void assertInvalid(String status, String because, ConsistencyChecks.Attempt... attempts) {
        List<String> violations = check(status, attempts);
        assertTrue(violations.stream().anyMatch(v -> v.contains(because)), status + " " + List.of(attempts) + " should be invalid ("
                + because + "), found " + violations);
    }
}
