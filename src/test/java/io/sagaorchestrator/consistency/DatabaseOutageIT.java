package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The database goes away under load, twice: first its connections are terminated again and again
 * (as an administrator or a failover does), also in the middle of commits, then it is unreachable
 * for longer than a lease. The service recovers by itself, without a restart, every saga ends
 * consistent, and none is undone for it: an outage is not a business failure.
 */
class DatabaseOutageIT {

    /** The commit of a liaison whose name starts with 'slow' takes 2 s, so that a cut certainly lands inside a commit. */
    private static final String SLOW_COMMITS = """
            create or replace function slow_commit() returns trigger language plpgsql as $$
            begin
              if lower(new.name) like 'slow%' then
                perform pg_sleep(2);
              end if;
              return null;
            end $$;
            create constraint trigger slow_commit after insert on liaison_info deferrable initially deferred
              for each row execute function slow_commit();
            """;

    @Test
    void theServiceRecoversFromADatabaseOutageWithoutARestart() throws Exception {
        try (Scenario s = Scenario.create("DB connections terminated mid-commit, then every 250 ms for 3 s, then DB unreachable for 4 s",
                "db-outage").throughProxy()) {
            List<Clients.Request> requests = s.plan(50, 4);
            List<Clients.Request> slow = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                slow.add(s.request("slow user " + i, String.format("1380000%04d", i)));
            }
            s.tt.latency(20, 120);
            ServiceProcess service = s.start("a", Map.of());
            s.sql(SLOW_COMMITS);

            Clients.Load load = s.clients.start(requests, 5, 60, 3);
            Thread.sleep(1000);
            Clients.Load slowLoad = s.clients.start(slow, slow.size(), 0, 10);
            Thread.sleep(700);
            // when the service's connections are terminated once while the slow sagas commit, the database staying up after
            s.terminateServiceConnections();
            Thread.sleep(1000);
            // and then every 250 ms for 3 s
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                s.terminateServiceConnections();
                Thread.sleep(250);
            }
            Thread.sleep(1000);
            // and then the database cannot be reached for 4 s (longer than the 2 s lease)
            s.cutDatabase(true);
            Thread.sleep(4000);
            s.restoreDatabase();
            Map<String, Clients.Answer> answers = new HashMap<>(load.awaitAnswered(Duration.ofSeconds(120)));
            answers.putAll(slowLoad.awaitAnswered(Duration.ofSeconds(120)));

            // then, with the same process still running, every saga ends and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            assertTrue(service.isAlive(), "the service must survive the outage without a restart");
            assertEquals(List.of(service), s.live());
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }

    @Test
    void anAnswerThatArrivesWhileTheDatabaseIsAwayIsRecordedWhenItReturnsNotAskedForAgain() throws Exception {
        try (Scenario s = Scenario.create("DB unreachable for 2 s while every add is under way", "db-outage-held-answer")
                .throughProxy()) {
            // given adds that take 1.5 s, and a lease (5 s) that outlasts the outage: no takeover, one instance
            List<Clients.Request> requests = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                requests.add(s.request("held user " + i, String.format("1370000%04d", i)));
            }
            s.tt.latency(1500, 1500);
            s.start("a", Map.of("saga.engine.lease", "5s"));

            // when the sagas start, and the database goes away once every add's intent is committed, until after the
            // adds answered: the commit recording each answer (with the liaison) finds no database at first
            Clients.Load load = s.clients.start(requests, requests.size(), 0, 10);
            awaitAddIntents(s, requests.size(), Duration.ofSeconds(10));
            s.cutDatabase(true);
            Thread.sleep(2000);
            s.restoreDatabase();
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(60));

            // then every saga completes and agrees with TT, and each add was asked once: the answer held in memory
            // was recorded once the database was back, not lost to an attempt of unknown outcome that asks again
            double converged = s.awaitConvergence(Duration.ofSeconds(30));
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
            assertEquals(requests.size(), s.tt.addRequests());
            assertEquals(requests.size(), s.count("select count(*) from saga_step_attempt where step_name = 'tt-add-user'"));
        }
    }

    /** Until {@code n} adds' intents are committed (an add answered and recorded meanwhile still counts). */
    private static void awaitAddIntents(Scenario s, int n, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (s.count("select count(*) from saga_step_attempt where step_name = 'tt-add-user'") < n) {
            if (System.nanoTime() > deadline) {
                fail("the adds' intents were not all committed within " + atMost);
            }
            Thread.sleep(20);
        }
    }
}
