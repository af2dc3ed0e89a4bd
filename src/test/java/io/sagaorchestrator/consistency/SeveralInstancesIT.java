package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three instances share one database; one is killed under load and the other two finish its sagas.
 * No step is carried out twice: the log never has two successful forward attempts of one step of one
 * saga (see the history check), and TT never created one username twice.
 */
class SeveralInstancesIT {

    @Test
    void theSurvivorsFinishTheSagasOfAKilledInstanceAndNoStepRunsTwice() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Scenario s = Scenario.create("3 instances, one SIGKILLed under load", "several-instances")) {
            System.out.println("[consistency] several instances: seed " + seed);
            List<Clients.Request> requests = s.plan(60, 4);
            s.tt.latency(30, 200);
            s.tt.deleteFailuresPerUser(1);
            s.tt.addLoseAfterWork(0.05);
            List<ServiceProcess> instances = s.startAll("a", "b", "c");

            Clients.Load load = s.clients.start(requests, 6, 60, 3);
            Thread.sleep(1000 + random.nextInt(1500));
            // the victim is the instance holding the most live sagas at that moment, so that the others must finish them
            ServiceProcess victim = null;
            int held = 0;
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (held == 0 && System.nanoTime() < until) {
                for (ServiceProcess instance : instances) {
                    int n = liveSagasHeldBy(s, instance);
                    if (victim == null || n > held) {
                        victim = instance;
                        held = n;
                    }
                }
                if (held == 0) {
                    Thread.sleep(50);
                }
            }
            s.kill(victim);
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            assertEquals(2, s.live().size());
            System.out.println("[consistency] several instances: the killed instance " + s.instanceName(victim) + " held " + held
                    + " live saga(s)");
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }

    private static int liveSagasHeldBy(Scenario s, ServiceProcess victim) throws Exception {
        try (Connection c = s.schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from saga where status in ('RUNNING', 'COMPENSATING') and owner = '"
                     + s.instanceName(victim) + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
