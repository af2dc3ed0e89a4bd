package io.sagaorchestrator.consistency;

import io.sagaorchestrator.runtime.CrashPoints;
import io.sagaorchestrator.process.ServiceProcess;
import io.sagaorchestrator.examples.usersync.Usernames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One fault-injection scenario: a schema of its own in the suite's PostgreSQL, a TT double (or a
 * shop double, see {@link #withShop()}), the packaged service as one or more real processes
 * configured for fast recovery, clients, and at the end the consistency checks and one summary line (printed, and appended to
 * {@code target/consistency/summary.md}).
 */
final class Scenario implements AutoCloseable {

    static final Path SUMMARY = Path.of("target", "consistency", "summary.md");
    static final String HEADER = "| scenario | sagas | completed / compensated / escalated (uncertain ownership) | kills | faults injected"
            + " | orphans | duplicates | non-terminal | converged after (s) | wall (s) |";

    private static final String REFUSE_FAIL_NAMES = """
            create or replace function refuse_fail_names() returns trigger language plpgsql as $$
            begin
              if lower(new.name) like 'fail%' then
                raise exception 'injected local failure: liaison % may not be saved', new.name;
              end if;
              return new;
            end $$;
            create trigger refuse_fail_names before insert on liaison_info for each row execute function refuse_fail_names();
            """;

    final String title;
    final TtDouble tt = new TtDouble();
    final SuiteDatabase.Schema schema;
    private final String slug;
    private final long startedAt = System.nanoTime();
    private final List<ServiceProcess> all = new ArrayList<>();
    private final List<ServiceProcess> live = new CopyOnWriteArrayList<>();
    private final Map<ServiceProcess, Integer> ports = new HashMap<>();
    private final Map<ServiceProcess, String> instanceIds = new HashMap<>();
    final Clients clients = new Clients(() -> live);
    private static boolean summaryStarted;
    private DbProxy proxy;
    private ShopDouble shop;
    private String shopDefinition;
    private boolean triggerInstalled;
    private int starts;
    private int kills;
    private int dbCuts;
    private int localFaults;
    private long lastDisruption = System.nanoTime();

    private Scenario(String title, String slug) {
        this.title = title;
        this.slug = slug;
        this.schema = SuiteDatabase.get().freshSchema("consistency_" + slug.replace('-', '_').toLowerCase(Locale.ROOT));
    }

    static Scenario create(String title, String slug) {
        return new Scenario(title, slug);
    }

    /** The service reaches PostgreSQL through a relay the test can cut (see {@link #cutDatabase(boolean)}). */
    Scenario throughProxy() {
        SuiteDatabase db = SuiteDatabase.get();
        proxy = new DbProxy(db.host, db.port);
        return this;
    }

    /**
     * The scenario runs order-checkout (an example definition, so examples are loaded, and every third party of theirs
     * is the shop double's) against a shop double that it owns, instead of user-sync against TT: its clients start orders, and {@link #verify} checks the shop.
     */
    Scenario withShop() {
        return withShop(OrderCheckoutChecks.DEFINITION);
    }

    /** As {@link #withShop()}, with clients starting {@code definition}: order-checkout or order-approval. */
    Scenario withShop(String definition) {
        shop = new ShopDouble();
        shopDefinition = definition;
        clients.starting(definition);
        return this;
    }

    ShopDouble shop() {
        return shop;
    }

    // ---- what the clients ask for ----------------------------------------------------------------

    /**
     * {@code count} start requests with distinct phones; every third has a name starting with
     * "fail", which the local save refuses, so its saga compensates. The usernames of
     * {@code seeded} of them (half of these failing ones) exist in TT before the saga: TT answers
     * EXISTS, and the user is somebody else's.
     */
    List<Clients.Request> plan(int count, int seeded) {
        List<Clients.Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean failing = i % 3 == 2;
            String name = failing ? "fail user " + i : i % 5 == 0 ? "张三" : "Ok User " + i;
            String phone = String.format("1390000%04d", i);
            requests.add(new Clients.Request(name, phone, Usernames.of(name, phone), UUID.randomUUID().toString()));
            if (failing) {
                localFaults++;
            }
        }
        for (int k = 0; k < seeded; k++) {
            int i = 3 * k + (k % 2 == 0 ? 0 : 2);
            tt.seed(requests.get(i % count).username());
        }
        return requests;
    }

    /**
     * {@code count} orders, each of a SKU of its own (so the shop can tell a duplicate): every fourth above the card
     * limit, declined, so the reservation is released again; every eighth (another one) for more than the stock, refused.
     */
    List<Clients.Order> planOrders(int count) {
        List<Clients.Order> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double amount = i % 4 == 3 ? ShopDouble.CARD_LIMIT + 100 + i : 10 + i + 0.99;
            int quantity = i % 8 == 1 ? ShopDouble.STOCK + 1 : 1 + i % 3;
            orders.add(order(String.format(Locale.ROOT, "ORDER-%04d", i), quantity, amount));
        }
        return orders;
    }

    /** An order outside the plan, e.g. for a fault of its own; its SKU must differ from the plan's. */
    Clients.Order order(String sku, int quantity, double amount) {
        String currency = List.of("EUR", "USD", "CNY").get(Math.floorMod(sku.hashCode(), 3));
        return new Clients.Order(sku, quantity, amount, currency, UUID.randomUUID().toString());
    }

    /**
     * A crash, a lost answer or a failing undo is not a business failure: an order ends COMPLETED unless the shop
     * refuses it (declined card, not enough stock), and then COMPENSATED, never ESCALATED: each undo is addressed by
     * the key of the call it undoes, so it never needs an answer that was lost.
     */
    void assertEveryOrderEndedAsTheShopDecided(List<Clients.Order> orders) throws SQLException {
        List<String> wrong = new ArrayList<>();
        for (Clients.Order order : orders) {
            boolean refused = order.amount() > ShopDouble.CARD_LIMIT || order.quantity() > ShopDouble.STOCK;
            String expected = refused ? "COMPENSATED" : "COMPLETED";
            String status = status(order);
            if (!expected.equals(status)) {
                wrong.add(order + ": expected " + expected + ", is " + status + " (" + lastError(order) + ")");
            }
        }
        if (!wrong.isEmpty()) {
            fail(title + ": " + wrong.size() + " order(s) did not end as the shop decided:\n  " + String.join("\n  ", wrong));
        }
    }

    // ---- the service -----------------------------------------------------------------------------

    /** Starts an instance and waits until it is ready; {@code extra} adds or overrides properties. */
    ServiceProcess start(String instance, Map<String, String> extra) throws InterruptedException {
        return start(instance, ServiceProcess.freePort(), extra);
    }

    /** Starts an instance on {@code port} (a restart keeps the port its clients know) and waits until it is ready. */
    ServiceProcess start(String instance, int port, Map<String, String> extra) throws InterruptedException {
        ServiceProcess service = launch(instance, port, extra);
        ready(service);
        return service;
    }

    /**
     * Starts an instance armed with a crash point that recovery may reach before the instance is
     * even ready: a halt during start-up is left for {@link #awaitCrash} to see.
     */
    ServiceProcess startArmed(String instance, int port, Map<String, String> crashPoint) throws InterruptedException {
        ServiceProcess service = launch(instance, port, crashPoint);
        try {
            ready(service);
        } catch (IllegalStateException e) {
            if (service.isAlive()) {
                throw e;
            }
        }
        return service;
    }

    /** Starts several instances at once (their start-ups overlap) and waits until all are ready. */
    List<ServiceProcess> startAll(String... instances) throws InterruptedException {
        List<ServiceProcess> started = new ArrayList<>();
        for (String instance : instances) {
            started.add(launch(instance, ServiceProcess.freePort(), Map.of()));
        }
        for (ServiceProcess service : started) {
            ready(service);
        }
        return started;
    }

    private ServiceProcess launch(String instance, int port, Map<String, String> extra) {
        SuiteDatabase db = SuiteDatabase.get();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.datasource.jdbc.url", proxy == null ? schema.serviceUrl() : schema.serviceUrl("127.0.0.1", proxy.port()));
        properties.put("quarkus.datasource.username", db.user);
        properties.put("quarkus.datasource.password", db.password);
        properties.put("quarkus.flyway.schemas", schema.name());
        properties.put("quarkus.rest-client.tt-user-api.url", tt.url());
        properties.put("tt.app-secret", "x");
        properties.put("quarkus.security.users.embedded.users." + Clients.USER, Clients.USER);
        properties.put("quarkus.security.users.embedded.roles." + Clients.USER, "saga-client,saga-viewer,saga-operator");
        String instanceId = instance + "-" + (++starts);
        properties.put("saga.engine.instance-id", instanceId);
        // retry delays compressed a hundredfold, leases and scans short: recovery within seconds
        properties.put("saga.engine.delay-factor", "0.01");
        properties.put("saga.engine.lease", "2s");
        properties.put("saga.engine.lease-renewal", "500ms");
        properties.put("saga.recovery.interval", "1s");
        // the double fails on purpose: a tripped breaker would turn injected faults into refusals
        properties.put("saga.remote.circuit-breaker.request-volume", "100000");
        if (shop != null) {
            properties.put("saga.definitions.include-examples", "true");
            properties.put("saga.http.inventory.url", shop.url(ShopDouble.Service.INVENTORY));
            properties.put("saga.http.payments.url", shop.url(ShopDouble.Service.PAYMENTS));
            properties.put("saga.http.shipping.url", shop.url(ShopDouble.Service.SHIPPING));
            properties.put("saga.secret.payments-api-key", ShopDouble.API_KEY);
        }
        properties.putAll(extra);
        ServiceProcess service = ServiceProcess.start("consistency-" + slug + "-" + instance + "-" + starts, port, properties);
        all.add(service);
        ports.put(service, port);
        instanceIds.put(service, instanceId);
        return service;
    }

    private void ready(ServiceProcess service) throws InterruptedException {
        service.awaitReady(Duration.ofSeconds(120));
        if (!triggerInstalled) {
            // the schema is Flyway's, made at the first start; from now on names starting with 'fail' cannot be saved
            sql(REFUSE_FAIL_NAMES);
            triggerInstalled = true;
        }
        live.add(service);
        lastDisruption = System.nanoTime();
    }

    /**
     * The crash matrix's run: a process armed to halt at {@code point} the {@code after}-th time a saga reaches it,
     * while {@code clients} send {@code requests}; the restarted process halts there once more while it recovers (the
     * second time the point is reached); the last start, on the same port, runs without the crash point, and the
     * clients send again what got no answer. Returns their answers.
     */
    Map<String, Clients.Answer> haltTwiceThenRecover(CrashPoints.Point point, int after, Clients clients,
                                                     List<? extends Clients.Start> requests) throws Exception {
        ServiceProcess crashing = start("a", Map.of("saga.test.crash-point", point.name(), "saga.test.crash-after",
                Integer.toString(after)));
        Clients.Load load = clients.start(requests, 6, 30, 5);
        awaitCrash(crashing, Duration.ofSeconds(60));
        crashing = startArmed("a", port(crashing), Map.of("saga.test.crash-point", point.name(), "saga.test.crash-after", "2"));
        awaitCrash(crashing, Duration.ofSeconds(60));
        start("a", port(crashing), Map.of());
        return load.awaitAnswered(Duration.ofSeconds(120));
    }

    int port(ServiceProcess service) {
        return ports.get(service);
    }

    /** The instance's name in the saga log (owner, attempts). */
    String instanceName(ServiceProcess service) {
        return instanceIds.get(service);
    }

    /** SIGKILL. */
    void kill(ServiceProcess service) throws InterruptedException {
        live.remove(service);
        service.kill();
        kills++;
        lastDisruption = System.nanoTime();
    }

    /** Waits for an armed crash point to halt the process (exit 137, as after SIGKILL). */
    void awaitCrash(ServiceProcess service, Duration atMost) throws InterruptedException {
        int exit = service.awaitExit(atMost);
        live.remove(service);
        if (exit != 137) {
            fail("expected the crash point to halt the service with 137, it exited with " + exit + ":\n" + service.output());
        }
        kills++;
        lastDisruption = System.nanoTime();
    }

    List<ServiceProcess> live() {
        return List.copyOf(live);
    }

    // ---- database faults ---------------------------------------------------------------------------

    /** Terminates every backend of the service (as an administrator or a failover would); returns how many. */
    int terminateServiceConnections() throws SQLException {
        try (Connection c = schema.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = '"
                     + schema.applicationName() + "'")) {
            rs.next();
            int n = rs.getInt(1);
            dbCuts += n;
            lastDisruption = System.nanoTime();
            return n;
        }
    }

    /** Severs the service's connections at the relay; with {@code staysDown} the database stays unreachable. */
    void cutDatabase(boolean staysDown) {
        proxy.cut(staysDown);
        dbCuts++;
        lastDisruption = System.nanoTime();
    }

    void restoreDatabase() {
        proxy.restore();
        lastDisruption = System.nanoTime();
    }

    /**
     * A crash, a lost answer or an outage is not a business failure: every saga whose liaison the
     * database does not refuse (its name does not start with "fail") must complete, not be undone.
     */
    void assertEverySagaNotRefusedLocallyCompleted() throws SQLException {
        List<String> undone = new ArrayList<>();
        try (Connection c = schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select id, status, input->>'name', last_error from saga"
                     + " where lower(input->>'name') not like 'fail%' and status <> 'COMPLETED'")) {
            while (rs.next()) {
                undone.add(rs.getString(1) + " '" + rs.getString(3) + "' " + rs.getString(2) + ": " + rs.getString(4));
            }
        }
        if (!undone.isEmpty()) {
            fail(title + ": " + undone.size() + " saga(s) failed for a technical fault, not a business one:\n  "
                    + String.join("\n  ", undone));
        }
    }

    /** A request outside the plan, e.g. for a fault of its own; its phone must differ from the plan's. */
    Clients.Request request(String name, String phone) {
        return new Clients.Request(name, phone, Usernames.of(name, phone), UUID.randomUUID().toString());
    }

    /** The status of the saga a request started, from the log. */
    String status(Clients.Start request) throws SQLException {
        return sagaColumn(request, "status");
    }

    String lastError(Clients.Start request) throws SQLException {
        return sagaColumn(request, "last_error");
    }

    private String sagaColumn(Clients.Start request, String column) throws SQLException {
        try (Connection c = schema.connect();
             PreparedStatement ps = c.prepareStatement("select " + column + " from saga where idempotency_key = ?")) {
            ps.setString(1, request.key());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * What the scenario's services warned of (WARN and ERROR lines, without stack traces), for a failure message: CI keeps
     * the test's output, not the services' logs.
     */
    String warnings() {
        return all.stream().flatMap(p -> p.output().lines()
                        .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                        .map(line -> instanceIds.get(p) + " " + line))
                .limit(60).collect(Collectors.joining("\n"));
    }

    /** The one number a query of the scenario's schema answers, e.g. a count. */
    long count(String query) throws SQLException {
        try (Connection c = schema.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the first row a statement with {@code parameters} answers, e.g. of a function's call. */
    String query(String statement, Object... parameters) throws SQLException {
        try (Connection c = schema.connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    void sql(String statements) {
        try (Connection c = schema.connect(); Statement s = c.createStatement()) {
            s.execute(statements);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the end -------------------------------------------------------------------------------------

    /**
     * Waits until no saga is live (asked through the API of a live instance, then confirmed in the
     * log); returns the seconds since the last disruption (restart, kill or fault).
     */
    double awaitConvergence(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            List<ServiceProcess> up = live();
            if (!up.isEmpty() && Clients.liveSagas(up.get(0)) == 0 && nonTerminalInLog().isEmpty()) {
                return (System.nanoTime() - lastDisruption) / 1e9;
            }
            Thread.sleep(200);
        }
        fail(title + ": sagas still live after " + atMost + ": " + nonTerminalInLog());
        return -1;
    }

    private List<String> nonTerminalInLog() {
        List<String> ids = new ArrayList<>();
        try (Connection c = schema.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, status, owner, wake_at, last_error from saga"
                     + " where status in ('RUNNING', 'COMPENSATING')")) {
            while (rs.next()) {
                ids.add(rs.getString(1) + " " + rs.getString(2) + " owner=" + rs.getString(3) + " wake=" + rs.getString(4)
                        + " error=" + rs.getString(5));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /**
     * Runs the consistency checks, prints and records the summary line, and fails the test with
     * every violation found.
     */
    ConsistencyChecks.Report verify(Map<String, Clients.Answer> answers, double convergedAfter) throws SQLException {
        Map<String, String> accepted = answers.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sagaId()));
        ConsistencyChecks.Report r = shop == null ? ConsistencyChecks.run(schema, tt, accepted) : OrderCheckoutChecks.run(schema, shop, shopDefinition, accepted);
        List<String> faults = new ArrayList<>();
        if (tt.faultsInjected() > 0) {
            faults.add(tt.faultsInjected() + " TT");
        }
        if (shop != null && shop.faultsInjected() > 0) {
            faults.add(shop.faultsInjected() + " shop");
        }
        if (localFaults > 0) {
            faults.add(localFaults + " local");
        }
        if (dbCuts > 0) {
            faults.add(dbCuts + " DB cuts");
        }
        String line = String.format(Locale.ROOT, "| %s | %d | %d / %d / %d (%d) | %d | %s | %d | %d | %d | %.1f | %.0f |",
                title, r.sagas(), r.completed(), r.compensated(), r.escalated(), r.escalatedUncertain(), kills,
                faults.isEmpty() ? "0" : String.join(", ", faults), r.orphans(), r.duplicates(), r.nonTerminal(), convergedAfter,
                (System.nanoTime() - startedAt) / 1e9);
        System.out.println("[consistency] " + line + (r.violations().isEmpty() ? "" : "  VIOLATIONS: " + r.violations().size()));
        record(line);
        if (!r.violations().isEmpty()) {
            fail(title + ": " + r.violations().size() + " violation(s) of the consistency promise (service logs: target/it/consistency-"
                    + slug + "-*.log):\n  " + r.violations().stream().limit(40).collect(Collectors.joining("\n  ")));
        }
        return r;
    }

    /** Appends a summary line to the suite's table (one table per run). */
    static synchronized void record(String line) {
        try {
            Files.createDirectories(SUMMARY.getParent());
            if (!summaryStarted) {
                Files.deleteIfExists(SUMMARY); // one table per run of the suite
                summaryStarted = true;
            }
            if (!Files.exists(SUMMARY)) {
                Files.writeString(SUMMARY, HEADER + "\n|---|---|---|---|---|---|---|---|---|---|\n");
            }
            Files.writeString(SUMMARY, line + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess service : all) {
            service.close();
        }
        tt.close();
        if (shop != null) {
            shop.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }
}
