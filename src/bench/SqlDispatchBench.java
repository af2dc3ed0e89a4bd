import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The driver of sql-dispatch.sh: an application on its own JDBC connections (run it with the service's pgjdbc on the
 * class path, {@code java -cp postgresql.jar SqlDispatchBench.java MODE URL USER PASSWORD}).
 *
 * <ul>
 * <li>{@code latency N C P}: N transactions on C connections, each inserting a user and dispatching send-sms, about P ms
 * apart on each connection; once every saga has its first attempt, the time from each commit to that attempt's start (the service's
 * clock and this one are the same host's), p50 and p99.
 * <li>{@code cost N}: on one connection, N transactions of "insert a user + saga_dispatch" interleaved with N of
 * "insert a user + a plain INSERT of the same saga row" into a copy of the saga table (its indexes included): what
 * the function adds to the caller's transaction, p50 / p99 / mean of the whole transaction and of the statement.
 * Run it while no orchestrator takes the sagas, so both see the same machine.
 * </ul>
 */
public class SqlDispatchBench {

    private static final String INPUT = "{\"phone\": \"13900000000\", \"content\": \"welcome, your code is 4711\"}";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1];
        String user = args[2];
        String password = args[3];
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("create table if not exists bench_app_user (id bigserial primary key, phone text not null)");
        }
        if (mode.equals("latency")) {
            latency(url, user, password, Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        } else {
            cost(url, user, password, Integer.parseInt(args[4]));
        }
    }

    private static void latency(String url, String user, String password, int n, int connections, int pauseMillis) throws Exception {
        Map<UUID, Instant> committed = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        List<Future<?>> clients = new ArrayList<>();
        for (int k = 0; k < connections; k++) {
            clients.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(url, user, password);
                     PreparedStatement app = c.prepareStatement("insert into bench_app_user (phone) values ('13900000000')");
                     PreparedStatement dispatch = c.prepareStatement("select saga_dispatch('send-sms', cast(? as jsonb))")) {
                    c.setAutoCommit(false);
                    for (int i = 0; i < n / connections; i++) {
                        app.executeUpdate();
                        dispatch.setString(1, INPUT);
                        UUID id;
                        try (ResultSet rs = dispatch.executeQuery()) {
                            rs.next();
                            id = rs.getObject(1, UUID.class);
                        }
                        c.commit();
                        committed.put(id, Instant.now());
                        Thread.sleep(ThreadLocalRandom.current().nextInt(pauseMillis / 2, pauseMillis * 3 / 2 + 1));
                    }
                }
                return null;
            }));
        }
        for (Future<?> client : clients) {
            client.get();
        }
        pool.shutdown();
        Map<UUID, Instant> firstAttempt = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement ps = c.prepareStatement("select saga_id, min(started_at) from saga_step_attempt"
                     + " where saga_id = any(?) group by saga_id")) {
            ps.setArray(1, c.createArrayOf("uuid", committed.keySet().toArray()));
            while (firstAttempt.size() < committed.size() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        firstAttempt.put(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant());
                    }
                }
            }
        }
        List<Double> ms = new ArrayList<>();
        committed.forEach((id, at) -> {
            Instant started = firstAttempt.get(id);
            if (started != null) {
                ms.add(Duration.between(at, started).toNanos() / 1e6);
            }
        });
        System.out.printf(Locale.ROOT, "RESULT latency commit to first attempt, %d sagas on %d connections, ~%d ms apart each"
                + " (%d started): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", committed.size(), connections, pauseMillis, ms.size(),
                pct(ms, 50), pct(ms, 99), pct(ms, 100));
    }

    private static void cost(String url, String user, String password, int n) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("drop table if exists bench_saga_copy");
            s.execute("create table bench_saga_copy (like saga including all)");
        }
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement app = c.prepareStatement("insert into bench_app_user (phone) values ('13900000000')");
             PreparedStatement dispatch = c.prepareStatement("select saga_dispatch('send-sms', cast(? as jsonb))");
             PreparedStatement plain = c.prepareStatement("insert into bench_saga_copy (id, definition_name, definition_version,"
                     + " definition_hash, status, caller, input, step_index, attempt, step_states, owner, wake_at, version)"
                     + " values (?, 'send-sms', 1, 'h', 'RUNNING', 'sql:bench', cast(? as jsonb), 0, 0, '{}', null, now(), 1)")) {
            c.setAutoCommit(false);
            List<Double> txDispatch = new ArrayList<>();
            List<Double> txPlain = new ArrayList<>();
            List<Double> stDispatch = new ArrayList<>();
            List<Double> stPlain = new ArrayList<>();
            for (int i = -n / 10; i < n; i++) { // the first tenth warms up
                boolean measured = i >= 0;
                long t0 = System.nanoTime();
                app.executeUpdate();
                long t1 = System.nanoTime();
                dispatch.setString(1, INPUT);
                try (ResultSet rs = dispatch.executeQuery()) {
                    rs.next();
                }
                long t2 = System.nanoTime();
                c.commit();
                long t3 = System.nanoTime();
                app.executeUpdate();
                long t4 = System.nanoTime();
                plain.setObject(1, UUID.randomUUID());
                plain.setString(2, INPUT);
                plain.executeUpdate();
                long t5 = System.nanoTime();
                c.commit();
                long t6 = System.nanoTime();
                if (measured) {
                    txDispatch.add((t3 - t0) / 1e6);
                    stDispatch.add((t2 - t1) / 1e6);
                    txPlain.add((t6 - t3) / 1e6);
                    stPlain.add((t5 - t4) / 1e6);
                }
            }
            row("transaction with saga_dispatch", txDispatch);
            row("transaction with a plain INSERT", txPlain);
            row("statement saga_dispatch(...)", stDispatch);
            row("statement plain INSERT", stPlain);
            System.out.printf(Locale.ROOT, "RESULT cost added to the caller's transaction: %.3f ms mean (%.3f ms at p50)%n",
                    mean(txDispatch) - mean(txPlain), pct(txDispatch, 50) - pct(txPlain, 50));
        }
    }

    private static void row(String what, List<Double> ms) {
        System.out.printf(Locale.ROOT, "RESULT %-32s n=%d  p50 %.3f ms  p99 %.3f ms  mean %.3f ms%n", what, ms.size(), pct(ms, 50),
                pct(ms, 99), mean(ms));
    }

    private static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
