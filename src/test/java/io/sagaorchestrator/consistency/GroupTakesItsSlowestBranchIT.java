package io.sagaorchestrator.consistency;

import io.sagaorchestrator.consistency.ShopDouble.Service;
import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a parallel group costs and saves, against the same three calls written one after another: order-fulfilment as
 * shipped, and a copy of it without the {@code parallel:} block. The shop answers each service after a latency of its
 * own (100, 200, 300 ms), so the calls in line take their sum and the group about its slowest call. Sagas run one at a
 * time, so each one's commits and duration are its own. The figures go to docs/design/performance.md.
 */
class GroupTakesItsSlowestBranchIT {

    private static final String IN_LINE = "order-fulfilment-in-line";
    private static final int SAGAS = 20;

    /** The figures of one definition's sagas. */
    private record Run(String definition, double writeTransactionsPerSaga, double commitsPerSaga, double p50Millis,
                       double clientP50Millis) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.0f | %.0f |", definition, SAGAS, writeTransactionsPerSaga,
                    commitsPerSaga, p50Millis, clientP50Millis);
        }
    }

    @Test
    void aGroupOfThreeCallsTakesAboutItsSlowestCallNotTheirSum() throws Exception {
        try (Scenario s = Scenario.create("order-fulfilment: a group against the same calls in line", "group-cost")
                .withShop(OrderCheckoutChecks.FULFILMENT)) {
            // given the shipped order-fulfilment, the same three calls in line, and a shop whose services answer after
            // 100, 200 and 300 ms
            Path definitions = Path.of("target", "it", "group-cost-definitions");
            Files.createDirectories(definitions.resolve("examples"));
            String shipped = Files.readString(Path.of("saga-definitions", "examples", "order-fulfilment.yaml"));
            Files.writeString(definitions.resolve("examples").resolve("order-fulfilment.yaml"), shipped);
            Files.writeString(definitions.resolve("examples").resolve(IN_LINE + ".yaml"), inLine(shipped));
            s.shop().latency(Service.INVENTORY, 100);
            s.shop().latency(Service.PAYMENTS, 200);
            s.shop().latency(Service.SHIPPING, 300);
            ServiceProcess service = s.start("a", Map.of("saga.definitions.dir", definitions.toAbsolutePath().toString()));

            // when 20 orders run one at a time through each
            run(s, service, OrderCheckoutChecks.FULFILMENT, "W");
            Run group = run(s, service, OrderCheckoutChecks.FULFILMENT, "G");
            Run inLine = run(s, service, IN_LINE, "L");
            System.out.println("[performance] | definition | sagas | write transactions/saga | commits/saga | p50 ms (log)"
                    + " | p50 ms (client) |\n[performance] " + group + "\n[performance] " + inLine);

            // then the group takes about its slowest call (300 ms) and the calls in line their sum (600 ms)
            assertTrue(group.p50Millis() < 450, "the group's saga took " + group.p50Millis() + " ms");
            assertTrue(inLine.p50Millis() >= 600, "the sagas in line took " + inLine.p50Millis() + " ms");
        }
    }

    /** The shipped definition with its group's branches written as plain steps, one after another, under another name. */
    private static String inLine(String shipped) {
        StringBuilder yaml = new StringBuilder();
        boolean inGroup = false;
        boolean inGroupHead = false; // the group's own keys (name, compensation...) and their comments, up to its steps
        for (String line : shipped.split("\n", -1)) {
            if (line.equals("  - parallel:")) {
                inGroup = true;
                inGroupHead = true;
            } else if (inGroupHead) {
                inGroupHead = !line.equals("      steps:");
            } else if (line.startsWith("name: ")) {
                yaml.append("name: ").append(IN_LINE).append('\n');
            } else {
                yaml.append(inGroup && line.startsWith("      ") ? line.substring(6) : line).append('\n');
            }
        }
        return yaml.toString();
    }

    /** Runs {@link #SAGAS} orders of {@code definition} one after another; their figures. */
    private static Run run(Scenario s, ServiceProcess service, String definition, String prefix) throws Exception {
        List<Long> clientMillis = new ArrayList<>();
        long xidBefore = Long.parseLong(s.query("select pg_current_xact_id()::text"));
        long commitsBefore = commits(s);
        for (int i = 0; i < SAGAS; i++) {
            Clients.Order order = s.order(String.format(Locale.ROOT, "%s-%04d", prefix, i), 1, 10 + i);
            long started = System.nanoTime();
            Clients.Answer answer = Clients.send(service, order, 10, definition);
            clientMillis.add((System.nanoTime() - started) / 1_000_000);
            assertEquals("COMPLETED", answer.status(), answer.body());
        }
        // the statement that reads the counter takes a transaction id of its own
        long writes = Long.parseLong(s.query("select pg_current_xact_id()::text")) - xidBefore - 1;
        long commits = commits(s) - commitsBefore;
        double p50 = Double.parseDouble(s.query("select percentile_cont(0.5) within group (order by extract(epoch from"
                + " updated_at - created_at) * 1000) from saga where definition_name = ? and input->>'sku' like ?", definition,
                prefix + "-%"));
        clientMillis.sort(Long::compare);
        return new Run(definition, writes / (double) SAGAS, commits / (double) SAGAS, p50, clientMillis.get(SAGAS / 2));
    }

    /** The database's commits so far, once the backends have reported theirs (at most a second late). */
    private static long commits(Scenario s) throws Exception {
        Thread.sleep(1_500);
        return Long.parseLong(s.query("select xact_commit from pg_stat_database where datname = current_database()"));
    }
}
