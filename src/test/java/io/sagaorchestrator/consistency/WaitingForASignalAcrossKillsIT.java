package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * order-approval, a saga declared in YAML only that waits for a person between its two calls, across a SIGKILL while
 * its sagas wait: the signals the application sends while the service is down (by {@code saga_signal}, in its own
 * transaction) and the waits that run out meanwhile are acted on when it is back, from the log. Afterwards the shop
 * and the saga log agree: no stock held or money taken for an order that was refused or never answered, nothing made
 * twice, every saga terminal.
 */
class WaitingForASignalAcrossKillsIT {

    /** What the application decided for a waiting order while the service was down. */
    private enum Decision { APPROVED, REFUSED, NO_ANSWER }

    @Test
    void sagasKilledWhileWaitingTakeTheSignalsSentWhileDownAndActOnWaitsThatRanOut() throws Exception {
        try (Scenario s = Scenario.create("order-approval: killed while waiting, signals and timeouts while down",
                "approval-kills").withShop(OrderCheckoutChecks.APPROVAL)) {
            // given 30 orders (a quarter above the card limit, some out of stock) and a shop that loses a fifth of its
            // answers after doing the work
            List<Clients.Order> orders = s.planOrders(30);
            s.shop().latency(0, 20);
            s.shop().loseAfterWork(0.20);
            ServiceProcess service = s.start("a", Map.of());

            // when the clients start them, each order the shop can reserve waits for a manager
            Map<String, Clients.Answer> answers = s.clients.start(orders, 4, 10, 1).awaitAnswered(Duration.ofSeconds(120));
            awaitEverySagaWaitingOrEnded(s, Duration.ofSeconds(60));
            List<String> waiting = new ArrayList<>();
            for (Clients.Order order : orders) {
                String sagaId = answers.get(order.key()).sagaId();
                if ("approval".equals(s.query("select waiting_for from saga where id = ?::uuid", sagaId))) {
                    waiting.add(sagaId);
                }
            }
            assertTrue(waiting.size() >= 15, "most orders reach the wait: " + waiting.size() + " of " + orders.size());

            // and the service is killed while they wait
            s.kill(service);

            // and while it is down the application decides in its own transactions: a third approved, a third refused
            // (each refusal sent twice under one id, as a retried transaction would), and a third never answered, until
            // their 48 hours have passed
            Decision[] decisions = Decision.values();
            for (int i = 0; i < waiting.size(); i++) {
                String sagaId = waiting.get(i);
                switch (decisions[i % decisions.length]) {
                    case APPROVED -> assertEquals("accepted", signal(s, sagaId, "{\"approved\": true}", "ok-" + i));
                    case REFUSED -> {
                        String id = "no-" + i;
                        assertEquals("accepted", signal(s, sagaId, "{\"approved\": false, \"comment\": \"too much\"}", id));
                        assertEquals("duplicate", signal(s, sagaId, "{\"approved\": false, \"comment\": \"too much\"}", id));
                    }
                    // the clock moves on by the whole wait: its deadline is passed and it is due
                    case NO_ANSWER -> assertEquals(sagaId, s.query("update saga set step_deadline_at = now() - interval '1 second',"
                            + " wake_at = now() where id = ?::uuid and waiting_for is not null returning id", sagaId));
                }
            }

            // when it is back
            s.start("a", s.port(service), Map.of());

            // then every saga ends, one per order, with no stock or charge left behind and none made twice
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            ConsistencyChecks.Report report = s.verify(answers, converged);
            assertEquals(0, report.escalated(), "escalated orders");
            // and each waiting order ended as the manager, or the lack of one, decided: refused and unanswered orders
            // released their stock; approved ones were charged unless the card was declined
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < waiting.size(); i++) {
                String sagaId = waiting.get(i);
                Decision decision = decisions[i % decisions.length];
                Clients.Order order = orderOf(orders, answers, sagaId);
                String expected = decision == Decision.APPROVED && order.amount() <= ShopDouble.CARD_LIMIT ? "COMPLETED" : "COMPENSATED";
                String status = s.query("select status from saga where id = ?::uuid", sagaId);
                if (!expected.equals(status)) {
                    wrong.add(order + " (" + decision + "): expected " + expected + ", is " + status + " ("
                            + s.query("select last_error from saga where id = ?::uuid", sagaId) + ")");
                }
            }
            assertEquals(List.of(), wrong);
            // and no signal stands unused: each was taken by the wait it was sent to
            assertEquals(0, s.count("select count(*) from saga_signal g join saga on saga.id = g.saga_id"
                    + " where g.refused is null and saga.waiting_for is not null"));
        }
    }

    private static String signal(Scenario s, String sagaId, String payload, String signalId) throws SQLException {
        return s.query("select saga_signal(?::uuid, 'approval', ?::jsonb, ?)", UUID.fromString(sagaId), payload, signalId);
    }

    private static Clients.Order orderOf(List<Clients.Order> orders, Map<String, Clients.Answer> answers, String sagaId) {
        return orders.stream().filter(o -> sagaId.equals(answers.get(o.key()).sagaId())).findFirst().orElseThrow();
    }

    /** Until no saga is on its way to its wait: each waits, or has ended (out of stock, or its reservation gave up). */
    private static void awaitEverySagaWaitingOrEnded(Scenario s, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (s.count("select count(*) from saga where status in ('RUNNING', 'COMPENSATING') and waiting_for is null") == 0) {
                return;
            }
            Thread.sleep(200);
        }
        fail("sagas still on their way to the wait after " + atMost);
    }
}
