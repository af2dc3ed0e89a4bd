package io.sagaorchestrator.consistency;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * saga_dispatch against the packaged service and a real PostgreSQL: an outside JDBC client stands in for the
 * application (its own table, its own transactions), an SMS gateway double counts what is sent.
 */
class SqlDispatchIT {

    private static final int CONNECTIONS = 8;
    private static final int PER_CONNECTION = 125;
    private static final String APP_TABLE = "create table app_user (id bigserial primary key, phone text not null)";
    private WireMockServer gateway;

    @BeforeEach
    void startGateway() {
        gateway = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(40));
        gateway.start();
        gateway.stubFor(WireMock.post("/messages").willReturn(WireMock.aResponse().withStatus(202)));
    }

    @AfterEach
    void stopGateway() {
        gateway.stop();
    }

    @Test
    void aCommittedDispatchCompletesARolledBackOneLeavesNothingAndAnUnstartableOneIsRefused() throws Exception {
        try (Scenario s = Scenario.create("sql dispatch: commit and rollback", "sql-dispatch-commit")) {
            // given the service ran once without the SMS gateway's URL: send-sms cannot be dispatched, as it cannot be started
            ServiceProcess unconfigured = s.start("a", Map.of());
            s.sql(APP_TABLE);
            try (Connection app = s.schema.connect()) {
                app.setAutoCommit(false);
                SQLException refused = assertThrows(SQLException.class, () -> signUp(app, "13900000009", null));
                assertEquals("55000", refused.getSQLState());
                assertTrue(refused.getMessage().contains("SAGA_HTTP_SMS_API_URL"), refused.getMessage());
                app.rollback();
            }
            s.kill(unconfigured);
            // and it runs now with the URL
            s.start("a", s.port(unconfigured), smsGateway());

            try (Connection app = s.schema.connect()) {
                app.setAutoCommit(false);
                // when the application inserts its user and dispatches the SMS, then commits
                UUID committed = signUp(app, "13900000001", null);
                app.commit();
                // and inserts another user and dispatches, then rolls back
                UUID rolledBack = signUp(app, "13900000002", null);
                app.rollback();

                // then the committed saga completes and its SMS was sent once; the rolled-back one left no saga and no user
                awaitCompleted(s, Set.of(committed), Duration.ofSeconds(30));
                assertEquals(1, smsSentFor(committed));
                Thread.sleep(2_000); // more than a recovery interval
                assertEquals(0, s.count("select count(*) from saga where id = '" + rolledBack + "'"));
                assertEquals(1, s.count("select count(*) from app_user"));
                assertEquals(1, gateway.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/messages"))).size());
            }
        }
    }

    @Test
    void aSagaCommittedWhileTheOrchestratorIsDownRunsOnceAfterItsRestart() throws Exception {
        try (Scenario s = Scenario.create("sql dispatch: orchestrator killed before pick-up", "sql-dispatch-kill")) {
            // given the service ran once (the schema is made) and was then killed
            ServiceProcess first = s.start("a", smsGateway());
            s.sql(APP_TABLE);
            s.kill(first);

            // when the application commits a dispatch while no orchestrator listens
            UUID sagaId;
            try (Connection app = s.schema.connect()) {
                app.setAutoCommit(false);
                sagaId = signUp(app, "13900000003", "signup-13900000003");
                app.commit();
            }
            assertEquals(0, gateway.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/messages"))).size());

            // and the service is started again
            s.start("a", s.port(first), smsGateway());

            // then the saga runs, once
            awaitCompleted(s, Set.of(sagaId), Duration.ofSeconds(30));
            assertEquals(1, smsSentFor(sagaId));
            assertEquals(1, s.count("select count(*) from saga_step_attempt where saga_id = '" + sagaId + "'"));
        }
    }

    @Test
    void aThousandDispatchesFromEightConnectionsEachRunOnceOnOneOfTwoInstances() throws Exception {
        try (Scenario s = Scenario.create("sql dispatch: 1000 from 8 connections, keys repeated, 2 instances",
                "sql-dispatch-load")) {
            // given two instances listening, with production's leases: the suite's 2 s lease (made for quick takeovers
            // after kills) can run out on this loaded machine while a send is under way, and the instance that takes
            // the saga over then sends again with the same key; this test is about dispatch, not takeovers
            Map<String, String> config = new HashMap<>(smsGateway());
            config.put("saga.engine.lease", "15s");
            config.put("saga.engine.lease-renewal", "5s");
            s.start("a", config);
            s.start("b", config);
            s.sql(APP_TABLE);

            // when 8 application connections dispatch 1,000 sagas, every tenth with the key of an earlier one
            Set<String> keys = new HashSet<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                for (int i = 0; i < PER_CONNECTION; i++) {
                    keys.add(key(c, i));
                }
            }
            Map<String, Set<UUID>> idsByKey = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    try (Connection app = s.schema.connect()) {
                        app.setAutoCommit(false);
                        for (int i = 0; i < PER_CONNECTION; i++) {
                            String key = key(client, i);
                            UUID id = signUp(app, "139" + key.substring("order-".length()), key);
                            app.commit();
                            idsByKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(id);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get();
            }
            pool.shutdown();

            // then each key answered one saga, every saga completes, and each sent its SMS once, in one attempt
            Set<UUID> sagas = new HashSet<>();
            idsByKey.forEach((key, ids) -> {
                assertEquals(1, ids.size(), key + " answered several sagas: " + ids);
                sagas.addAll(ids);
            });
            assertEquals(keys.size(), sagas.size());
            assertEquals(keys.size(), s.count("select count(*) from saga"));
            awaitCompleted(s, sagas, Duration.ofSeconds(90));
            Map<String, Long> sent = gateway.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/messages"))).stream()
                    .collect(Collectors.groupingBy(r -> r.getHeader("Idempotency-Key"), Collectors.counting()));
            List<String> twice = sent.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList();
            assertTrue(twice.isEmpty(), "sent more than once: " + twice + ", attempts: " + attemptsOf(s, twice)
                    + "\nthe services warned:\n" + s.warnings());
            assertEquals(keys.size(), sent.size());
            assertEquals(sent.values().stream().mapToLong(Long::longValue).sum(), s.count("select count(*) from saga_step_attempt"),
                    "every send is a recorded attempt");
            assertEquals(0, s.count("select count(*) from (select saga_id from saga_step_attempt group by saga_id"
                    + " having count(*) <> 1 or count(distinct instance) <> 1) more"));
            System.out.println("[sql-dispatch] instances took " + takenPerInstance(s));
        }
    }

    /** Every tenth dispatch of a connection repeats the key of one another connection makes about the same time. */
    private static String key(int connection, int i) {
        int n = connection * PER_CONNECTION + i;
        int keyed = n % 10 == 9 ? ((connection + 1) % CONNECTIONS) * PER_CONNECTION + i - 1 : n;
        return "order-" + String.format("%08d", keyed);
    }

    /** The seed's flow: insert the user, and owe the SMS, in the application's transaction. */
    private static UUID signUp(Connection app, String phone, String key) throws SQLException {
        try (PreparedStatement user = app.prepareStatement("insert into app_user (phone) values (?)");
             PreparedStatement dispatch = app.prepareStatement("select saga_dispatch('send-sms', cast(? as jsonb), ?)")) {
            user.setString(1, phone);
            user.executeUpdate();
            dispatch.setString(1, "{\"phone\": \"" + phone + "\", \"content\": \"welcome\"}");
            dispatch.setString(2, key);
            try (ResultSet rs = dispatch.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private Map<String, String> smsGateway() {
        return Map.of("saga.http.sms-api.url", gateway.baseUrl());
    }

    private long smsSentFor(UUID sagaId) {
        List<LoggedRequest> calls = gateway.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/messages"))
                .withHeader("Idempotency-Key", WireMock.equalTo(sagaId + ":send-sms")));
        return calls.size();
    }

    private static void awaitCompleted(Scenario s, Set<UUID> sagas, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        String ids = sagas.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
        while (System.nanoTime() < deadline) {
            if (s.count("select count(*) from saga where status = 'COMPLETED' and id in (" + ids + ")") == sagas.size()) {
                return;
            }
            Thread.sleep(200);
        }
        fail("not every saga completed within " + atMost + ": " + s.count("select count(*) from saga where status = 'COMPLETED'")
                + " of " + sagas.size());
    }

    private static Map<String, Long> takenPerInstance(Scenario s) throws SQLException {
        Map<String, Long> taken = new HashMap<>();
        try (Connection c = s.schema.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select instance, count(*) from saga_step_attempt group by instance")) {
            while (rs.next()) {
                taken.put(rs.getString(1), rs.getLong(2));
            }
        }
        return taken;
    }

    /** The attempt rows of the sagas whose idempotency keys ({@code sagaId:step}) are given, to explain a failure. */
    private static List<String> attemptsOf(Scenario s, List<String> keys) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = s.schema.connect(); PreparedStatement ps = c.prepareStatement("select saga_id, attempt, instance,"
                + " outcome, started_at, ended_at, error_message from saga_step_attempt where saga_id = any(?) order by saga_id, attempt")) {
            ps.setArray(1, c.createArrayOf("uuid", keys.stream().map(k -> UUID.fromString(k.substring(0, k.indexOf(':')))).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " #" + rs.getInt(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
                            + rs.getTimestamp(5) + ".." + rs.getTimestamp(6) + " " + rs.getString(7));
                }
            }
        }
        return rows;
    }
}
