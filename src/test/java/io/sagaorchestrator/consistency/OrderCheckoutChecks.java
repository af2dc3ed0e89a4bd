package io.sagaorchestrator.consistency;

import io.sagaorchestrator.consistency.ConsistencyChecks.Attempt;
import io.sagaorchestrator.consistency.ConsistencyChecks.Report;
import io.sagaorchestrator.consistency.ConsistencyChecks.Saga;
import io.sagaorchestrator.consistency.ShopDouble.Effect;
import io.sagaorchestrator.consistency.ShopDouble.Service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consistency promise of order-checkout, of order-approval (the same two calls with a person's approval between
 * them) and of order-fulfilment (reserve, charge and ship side by side, in a parallel group), checked after convergence
 * from both sides: the saga log, and the shop double's own record of every reservation, charge and shipment. Reads
 * only; every finding is a violation naming its saga.
 *
 * <ul>
 * <li>every order a client got accepted is exactly one saga, and no saga is still live;</li>
 * <li>COMPLETED: a live reservation under {@code <sagaId>:reserve-stock} and a live charge under
 * {@code <sagaId>:charge-payment} that pays for that reservation (order-fulfilment: for that SKU), and for
 * order-fulfilment a live shipment under {@code <sagaId>:book-shipment};</li>
 * <li>COMPENSATED: none live (a live one is an orphan: stock held, money taken or a parcel booked for an order that
 * failed);</li>
 * <li>ESCALATED: says why (it may leave an effect live: a person repairs it);</li>
 * <li>no effect in the double under a key that is not a step key of a saga in the log (an orphan if live);</li>
 * <li>no duplicate: no order's SKU (each order has its own) was reserved, charged or shipped more than once;</li>
 * <li>each saga's history is a valid saga execution ({@link ConsistencyChecks#history}).</li>
 * </ul>
 */
final class OrderCheckoutChecks {

    static final String DEFINITION = "order-checkout";
    /** order-checkout with an await between its two steps, which makes no attempt of its own. */
    static final String APPROVAL = "order-approval";
    /** The steps of either that make attempts, in order; both are remote. */
    static final List<String> STEPS = List.of(Service.INVENTORY.step, Service.PAYMENTS.step);
    /** The three calls of order-checkout as one parallel group, its only steps. */
    static final String FULFILMENT = "order-fulfilment";
    static final List<String> FULFILMENT_STEPS = List.of(Service.INVENTORY.step, Service.PAYMENTS.step, Service.SHIPPING.step);

    private OrderCheckoutChecks() {
    }

    /**
     * @param definition the definition every saga of the scenario must be of
     * @param accepted   the saga id each order (by idempotency key) was answered with
     */
    static Report run(SuiteDatabase.Schema schema, ShopDouble shop, String definition, Map<String, String> accepted)
            throws SQLException {
        List<String> violations = new ArrayList<>();
        Map<String, Saga> sagas;
        Map<String, List<Attempt>> attempts;
        try (Connection c = schema.connect()) {
            sagas = ConsistencyChecks.sagas(c);
            attempts = ConsistencyChecks.attempts(c);
        }
        ConsistencyChecks.checkOneSagaPerRequest(sagas, accepted, violations);

        int completed = 0, compensated = 0, escalated = 0, nonTerminal = 0, invalid = 0, orphans = 0;
        for (Saga s : sagas.values()) {
            if (!s.definition().equals(definition)) {
                violations.add("saga " + s.id() + " of " + s.definition() + " in an " + definition + " scenario");
                continue;
            }
            Optional<Effect> reservation = shop.effect(Service.INVENTORY, stepKey(s, Service.INVENTORY));
            Optional<Effect> charge = shop.effect(Service.PAYMENTS, stepKey(s, Service.PAYMENTS));
            Optional<Effect> shipment = shop.effect(Service.SHIPPING, stepKey(s, Service.SHIPPING));
            boolean reserved = reservation.filter(Effect::live).isPresent();
            boolean charged = charge.filter(Effect::live).isPresent();
            boolean shipped = shipment.filter(Effect::live).isPresent();
            boolean shipping = definition.equals(FULFILMENT);
            switch (s.status()) {
                case "COMPLETED" -> {
                    completed++;
                    if (!reserved || !charged || shipping != shipped) {
                        violations.add("COMPLETED saga " + s.id() + " has reservation " + reservation + ", charge " + charge
                                + " and shipment " + shipment);
                    } else if (shipping ? !reservation.get().sku().equals(charge.get().sku())
                            : !reservation.get().id().equals(charge.get().reservation())) {
                        violations.add("COMPLETED saga " + s.id() + " charged for " + charge.get() + ", it holds " + reservation.get());
                    }
                }
                case "COMPENSATED" -> {
                    compensated++;
                    if (reserved) {
                        orphans++;
                        violations.add("orphan: COMPENSATED saga " + s.id() + " left reservation " + reservation.get());
                    }
                    if (charged) {
                        orphans++;
                        violations.add("orphan: COMPENSATED saga " + s.id() + " left charge " + charge.get());
                    }
                    if (shipped) {
                        orphans++;
                        violations.add("orphan: COMPENSATED saga " + s.id() + " left shipment " + shipment.get());
                    }
                }
                case "ESCALATED" -> {
                    escalated++;
                    if (s.lastError() == null || s.lastError().isBlank()) {
                        violations.add("ESCALATED saga " + s.id() + " does not say why");
                    }
                }
                default -> {
                    nonTerminal++;
                    violations.add("saga " + s.id() + " is still " + s.status());
                }
            }
            if (!ConsistencyChecks.checkHistory(s, attempts, violations)) {
                invalid++;
            }
        }

        // double -> log: every key is a step key of a saga the log has
        for (Effect e : shop.effects().values()) {
            String sagaId = e.key().endsWith(":" + e.service().step)
                    ? e.key().substring(0, e.key().length() - e.service().step.length() - 1) : null;
            if (sagaId == null || !sagas.containsKey(sagaId)) {
                if (e.live()) {
                    orphans++;
                }
                violations.add((e.live() ? "orphan: " : "") + e.service() + " has " + e + " under a key of no saga in the log");
            }
        }
        int duplicates = 0;
        for (Service service : Service.values()) {
            for (Map.Entry<String, Integer> made : shop.madeBySku(service).entrySet()) {
                if (made.getValue() > 1) {
                    duplicates++;
                    violations.add(service + " made " + made.getValue() + " effects for the order of SKU " + made.getKey());
                }
            }
        }
        return new Report(sagas.size(), completed, compensated, escalated, 0, orphans, 0, duplicates, nonTerminal, 0, invalid,
                violations, 0, 0, 0);
    }

    /** The idempotency key the saga's call to {@code service} carries, and its undo addresses. */
    private static String stepKey(Saga s, Service service) {
        return s.id() + ":" + service.step;
    }
}
