package io.sagaorchestrator.consistency;

import io.sagaorchestrator.runtime.CrashPoints;
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
            // when clients send them, the process halts at the crash point, halts there again while it recovers, and is
            // started once more without it; clients send again what got no answer
            Map<String, Clients.Answer> answers = s.haltTwiceThenRecover(point, after, s.clients, orders);

            // then every saga ends, one per order, with no stock or charge left behind and none made twice
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            ConsistencyChecks.Report report = s.verify(answers, converged);
            // and a crash never turns into a business outcome: each order ends as the shop decided, none escalates
            s.assertEveryOrderEndedAsTheShopDecided(orders);
            assertEquals(0, report.escalated(), "escalated orders");
        }
    }
}
