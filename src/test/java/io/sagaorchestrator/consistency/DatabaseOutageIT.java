package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database goes away under load, twice: first its connections are terminated again and again
 * (as an administrator or a failover does), then it is unreachable for longer than a lease. The
 * service recovers by itself, without a restart, and every saga ends consistent.
 */
class DatabaseOutageIT {

    @Test
    void theServiceRecoversFromADatabaseOutageWithoutARestart() throws Exception {
        try (Scenario s = Scenario.create("DB connections terminated for 3 s, then DB unreachable for 4 s", "db-outage").throughProxy()) {
            List<Clients.Request> requests = s.plan(50, 4);
            s.tt.latency(20, 120);
            ServiceProcess service = s.start("a", Map.of());

            Clients.Load load = s.clients.start(requests, 5, 60, 3);
            Thread.sleep(1000);
            // when every connection of the service is terminated, every 250 ms for 3 s
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
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            // then, with the same process still running, every saga ends and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            assertTrue(service.isAlive(), "the service must survive the outage without a restart");
            assertEquals(List.of(service), s.live());
            s.verify(answers, converged);
        }
    }
}
