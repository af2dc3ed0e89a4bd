package io.sagaorchestrator.consistency;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TT does the work and the answer is lost (a 500, or the connection closed with no answer), or it
 * fails without doing anything: the saga cannot tell which, re-issues the add, and ends consistent.
 * A saga that must undo a user whose first answer was lost escalates (its ownership is uncertain).
 */
class LostResponsesIT {

    /** The forward budget of tt-add-user (saga-definitions/user-sync.yaml, retry.attempts). */
    private static final int ADD_BUDGET = 6;

    @Test
    void lostAndFailedAddAnswersLeaveNeitherOrphansNorDuplicates() throws Exception {
        try (Scenario s = Scenario.create("TT loses 25% of add answers after the work, 10% fail before it", "lost-responses")) {
            List<Clients.Request> requests = s.plan(45, 4);
            s.tt.latency(0, 20);
            s.tt.addLoseAfterWork(0.25);
            s.tt.addFailBeforeWork(0.10);
            // four sagas spend the add's whole budget without an answer, so compensation must learn the id by re-issuing
            // the add: two whose adds never did anything, two whose first add created the user
            Clients.Request neverCreated = requests.get(1);
            Clients.Request neverCreatedFailing = requests.get(2);
            Clients.Request createdUnanswered = requests.get(4);
            Clients.Request createdUnansweredFailing = requests.get(8);
            s.tt.failAdds(neverCreated.username(), ADD_BUDGET, false);
            s.tt.failAdds(neverCreatedFailing.username(), ADD_BUDGET, false);
            s.tt.failAdds(createdUnanswered.username(), ADD_BUDGET, true);
            s.tt.failAdds(createdUnansweredFailing.username(), ADD_BUDGET, true);
            s.start("a", Map.of());

            Clients.Load load = s.clients.start(requests, 5, 20, 10);
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            // the user the undo created to learn the id is deleted again; a user that may be ours or somebody else's escalates
            assertEquals("COMPENSATED", s.status(neverCreated));
            assertEquals("COMPENSATED", s.status(neverCreatedFailing));
            assertEquals("ESCALATED", s.status(createdUnanswered));
            assertEquals("ESCALATED", s.status(createdUnansweredFailing));
        }
    }
}
