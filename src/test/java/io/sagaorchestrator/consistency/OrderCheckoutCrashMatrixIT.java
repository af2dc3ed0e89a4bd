package io.sagaorchestrator.consistency;

import io.sagaorchestrator.engine.CrashPoints;
import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * order-checkout, a saga declared in YAML only (two HTTP steps, each undone by the key of its call): the process halts
 * at each crash point a remote step passes, halts there once more while the restarted process recovers, is then
 * started without it, and recovery finishes every order: afterwards the shop and the saga log agree.
 */
class OrderCheckoutCrashMatrixIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CrashPoints.Point.class, mode = EnumSource.Mode.EXCLUDE, names = "INSIDE_LOCAL_STEP")
    void aProcessThatHaltsAtThisPointLeavesNeitherOrphanedStockNorChargesAfterItsRestart(CrashPoints.Point point) throws Exception {
        try (Scenario s = Scenario.create("order-checkout crash " + point, "order-crash-" + point).withShop()) {
            // given 24 orders: a quarter declined by the card limit (their stock is released again), three out of stock
            List<Clients.Order> orders = s.planOrders(24);
            s.shop().latency(5, 40);
            if (point == CrashPoints.Point.BETWEEN_COMPENSATION_ATTEMPTS) {
                s.shop().undoFailuresPerKey(2); // each release fails twice, then works
            }
            int after = point == CrashPoints.Point.BETWEEN_COMPENSATION_ATTEMPTS ? 3 : 9;
            ServiceProcess crashing = s.start("a", Map.of("saga.test.crash-point", point.name(), "saga.test.crash-after",
                    Integer.toString(after)));

            // when clients send them and the process halts at the crash point
            Clients.Load load = s.clients.start(orders, 6, 30, 5);
            s.awaitCrash(crashing, Duration.ofSeconds(60));

            // and the restarted process halts there again while it recovers (the second time the point is reached)
            crashing = s.startArmed("a", s.port(crashing), Map.of("saga.test.crash-point", point.name(), "saga.test.crash-after", "2"));
            s.awaitCrash(crashing, Duration.ofSeconds(60));

            // and it is started once more without the crash point, on the same port; clients send again what got no answer
            s.start("a", s.port(crashing), Map.of());
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            // then every saga ends, one per order, with no stock or charge left behind and none made twice
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            ConsistencyChecks.Report report = s.verify(answers, converged);
            // and a crash never turns into a business outcome: each order ends as the shop decided, none escalates
            s.assertEveryOrderEndedAsTheShopDecided(orders);
            assertEquals(0, report.escalated(), "escalated orders");
        }
    }
}
