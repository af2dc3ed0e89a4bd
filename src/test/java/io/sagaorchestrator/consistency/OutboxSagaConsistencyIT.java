package io.sagaorchestrator.consistency;

import io.sagaorchestrator.runtime.CrashPoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The suite's promise for user-sync-outbox, the saga the other way round: the liaison is saved
 * (PENDING) first, TT is called after that commit, and the liaison is linked (SYNCED) or, when the
 * saga is undone, kept as REJECTED without a TT id. A process that halts between two commits and
 * TT answers that are lost leave neither an orphan TT user, nor a PENDING or dangling row, nor a
 * duplicate creation, and every history is a valid run of the three-step definition.
 */
class OutboxSagaConsistencyIT {

    private static final String DEFINITION = ConsistencyChecks.OUTBOX;

    /** Names starting with "unlink" are saved and added, but the link is refused: the saga undoes the add and the save. */
    private static final String REFUSE_UNLINK_NAMES = """
            create or replace function refuse_unlink_names() returns trigger language plpgsql as $$
            begin
              raise exception 'injected local failure: liaison % may not be linked', new.name;
            end $$;
            create trigger refuse_unlink_names before update on liaison_info for each row
              when (new.sync_status = 'SYNCED' and lower(new.name) like 'unlink%') execute function refuse_unlink_names();
            """;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CrashPoints.Point.class, names = {"AFTER_INTENT", "AFTER_REMOTE_SUCCESS", "INSIDE_LOCAL_STEP"})
    void aProcessThatHaltsAtThisPointLeavesNothingInconsistentAfterItsRestart(CrashPoints.Point point) throws Exception {
        try (Scenario s = Scenario.create("outbox crash " + point, "outbox-crash-" + point)) {
            // given 16 outbox sagas, a third refused by the local save (before TT is called), two on usernames TT already has
            List<Clients.Request> requests = s.plan(16, 2);
            s.tt.latency(5, 40);
            // when clients send them, the process halts at the crash point, halts there again while it recovers, and is
            // started once more without it; clients send again what got no answer
            Map<String, Clients.Answer> answers = s.haltTwiceThenRecover(point, 5, s.clients.starting(DEFINITION), requests);

            // then every saga ends, and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }

    @Test
    void lostAndFailedAddAnswersLeaveNeitherOrphansNorPendingRowsNorDuplicates() throws Exception {
        try (Scenario s = Scenario.create("outbox: TT loses 25% of add answers after the work, 10% fail before it; 2 links refused",
                "outbox-lost-responses")) {
            List<Clients.Request> requests = new ArrayList<>(s.plan(30, 2));
            s.tt.latency(0, 20);
            s.tt.addLoseAfterWork(0.25);
            s.tt.addFailBeforeWork(0.10);
            // two sagas whose link is refused after TT created the user: undone, the user deleted, the row kept REJECTED;
            // their adds get no fault, so the saga knows it created the user (a lost answer would make ownership uncertain)
            Clients.Request unlinked = s.request("unlink user 1", "13800000001");
            Clients.Request unlinkedToo = s.request("unlink user 2", "13800000002");
            requests.add(unlinked);
            requests.add(unlinkedToo);
            s.tt.failAdds(unlinked.username(), 0, false);
            s.tt.failAdds(unlinkedToo.username(), 0, false);
            s.start("a", Map.of());
            s.sql(REFUSE_UNLINK_NAMES);

            Clients.Load load = s.clients.starting(DEFINITION).start(requests, 5, 20, 10);
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            assertEquals("COMPENSATED", s.status(unlinked));
            assertEquals("COMPENSATED", s.status(unlinkedToo));
        }
    }
}
