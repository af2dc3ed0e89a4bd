package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same start request sent three times at once with one Idempotency-Key, to two instances on one
 * database (a client retrying through a load balancer): one saga, and every answer names it.
 */
class ConcurrentIdempotentStartIT {

    @Test
    void oneKeySentThreeTimesAtOnceStartsOneSaga() throws Exception {
        try (Scenario s = Scenario.create("one Idempotency-Key sent 3 times at once, to 2 instances", "idempotency")) {
            List<Clients.Request> requests = s.plan(30, 2);
            s.tt.latency(10, 60);
            List<ServiceProcess> instances = s.startAll("a", "b");
            ServiceProcess a = instances.get(0);
            ServiceProcess b = instances.get(1);

            ExecutorService pool = Executors.newFixedThreadPool(9);
            Map<String, Clients.Answer> answers = new HashMap<>();
            int duplicatesAnswered = 0;
            try {
                for (int i = 0; i < requests.size(); i += 3) {
                    List<Clients.Request> batch = requests.subList(i, Math.min(i + 3, requests.size()));
                    Map<Clients.Request, List<Future<Clients.Answer>>> sent = new HashMap<>();
                    for (Clients.Request r : batch) {
                        List<Future<Clients.Answer>> three = new ArrayList<>();
                        for (ServiceProcess target : List.of(a, b, a)) {
                            three.add(pool.submit(() -> Clients.send(target, r, 1)));
                        }
                        sent.put(r, three);
                    }
                    for (Map.Entry<Clients.Request, List<Future<Clients.Answer>>> e : sent.entrySet()) {
                        Clients.Answer first = e.getValue().get(0).get(60, TimeUnit.SECONDS);
                        for (Future<Clients.Answer> f : e.getValue()) {
                            Clients.Answer answer = f.get(60, TimeUnit.SECONDS);
                            assertTrue(answer.http() == 200 || answer.http() == 202 || answer.http() == 409, answer.toString());
                            assertEquals(first.sagaId(), answer.sagaId(), "one key, one saga: " + answer + " vs " + first);
                            duplicatesAnswered++;
                        }
                        answers.put(e.getKey().key(), first);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.println("[consistency] idempotency: " + duplicatesAnswered + " answers for " + answers.size() + " keys");

            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged); // also: exactly one saga per key, and no saga without one
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }
}
