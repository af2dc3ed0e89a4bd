package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** SIGKILL at random moments while clients keep starting sagas: each time the service restarts and recovers. */
class RandomKillsUnderLoadIT {

    @Test
    void threeKillsAtRandomMomentsLeaveNothingInconsistent() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Scenario s = Scenario.create("random SIGKILL x3 under load", "random-kills")) {
            System.out.println("[consistency] random kills: seed " + seed);
            List<Clients.Request> requests = s.plan(60, 4);
            s.tt.latency(30, 200);
            s.tt.deleteFailuresPerUser(1);
            ServiceProcess service = s.start("a", Map.of());

            // when 5 clients start 60 sagas and the process is killed three times while they do
            Clients.Load load = s.clients.start(requests, 5, 100, 3);
            for (int kill = 0; kill < 3; kill++) {
                Thread.sleep(500 + random.nextInt(1500));
                s.kill(service);
                service = s.start("a", s.port(service), Map.of());
            }
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            // then every saga ends, and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }
}
