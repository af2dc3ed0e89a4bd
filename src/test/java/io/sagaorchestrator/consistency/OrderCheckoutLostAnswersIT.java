package io.sagaorchestrator.consistency;

import io.sagaorchestrator.consistency.ShopDouble.Service;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inventory and the payment provider do the work and the answer is lost (a 500, or the connection closed with no
 * answer), or fail without doing anything: the saga cannot tell which, re-sends under the same idempotency key, and
 * ends consistent. Even an order whose charge gets no answer for the step's whole budget is undone cleanly: the refund
 * is addressed by the charge's key, not by an id from the lost answer.
 */
class OrderCheckoutLostAnswersIT {

    /** The forward budget of charge-payment and reserve-stock (order-checkout.yaml, retry.attempts). */
    private static final int BUDGET = 6;

    @Test
    void lostAndFailedShopAnswersLeaveNeitherOrphansNorDuplicates() throws Exception {
        try (Scenario s = Scenario.create("order-checkout: shop loses 25% of answers after the work, 10% fail before it",
                "order-lost-answers").withShop()) {
            // given 36 orders (a quarter declined, some out of stock) and a shop that loses or fails a third of all calls
            List<Clients.Order> orders = s.planOrders(36);
            s.shop().latency(0, 20);
            s.shop().loseAfterWork(0.25);
            s.shop().failBeforeWork(0.10);
            // and four orders whose call gets no answer for the step's whole budget: two charges that were made, one
            // that never was, and one reservation that was made
            Clients.Order chargedUnanswered = s.order("LOST-CHARGE-MADE-1", 1, 42);
            Clients.Order chargedUnansweredToo = s.order("LOST-CHARGE-MADE-2", 2, 84);
            Clients.Order neverCharged = s.order("LOST-CHARGE-NONE-1", 1, 21);
            Clients.Order reservedUnanswered = s.order("LOST-RESERVE-MADE-1", 3, 63);
            s.shop().failCalls(Service.PAYMENTS, chargedUnanswered.sku(), BUDGET, true);
            s.shop().failCalls(Service.PAYMENTS, chargedUnansweredToo.sku(), BUDGET, true);
            s.shop().failCalls(Service.PAYMENTS, neverCharged.sku(), BUDGET, false);
            s.shop().failCalls(Service.INVENTORY, reservedUnanswered.sku(), BUDGET, true);
            List<Clients.Order> all = new ArrayList<>(orders);
            all.addAll(List.of(chargedUnanswered, chargedUnansweredToo, neverCharged, reservedUnanswered));
            s.start("a", Map.of());

            // when clients send them all
            Clients.Load load = s.clients.start(all, 5, 20, 10);
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            // then every saga ends, one per order, with no stock or charge left behind and none made twice
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            ConsistencyChecks.Report report = s.verify(answers, converged);
            // and lost answers are technical faults: each planned order ends as the shop decided
            s.assertEveryOrderEndedAsTheShopDecided(orders);
            // and an order whose call never got an answer is COMPENSATED, not ESCALATED: its undo (refund, release) is
            // addressed by the key of the call it undoes, and the mark it leaves refuses a late repeat of that call
            for (Clients.Order unanswered : List.of(chargedUnanswered, chargedUnansweredToo, neverCharged, reservedUnanswered)) {
                assertEquals("COMPENSATED", s.status(unanswered), unanswered + ": " + s.lastError(unanswered));
            }
            assertEquals(0, report.escalated(), "escalated orders");
            // and the charges whose answers were lost were really made, and refunded by their key
            for (Clients.Order made : List.of(chargedUnanswered, chargedUnansweredToo)) {
                String key = answers.get(made.key()).sagaId() + ":" + Service.PAYMENTS.step;
                assertTrue(s.shop().effect(Service.PAYMENTS, key).filter(e -> e.id() != null && !e.live()).isPresent(),
                        made + " was charged and refunded: " + s.shop().effect(Service.PAYMENTS, key));
            }
        }
    }
}
