package io.sagaorchestrator.scenarios;

import jakarta.inject.Singleton;
import io.sagaorchestrator.runtime.Instance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.restassured.response.Response;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.runtime.CrashPoints;
import io.sagaorchestrator.runtime.SagaRunner;
import io.sagaorchestrator.runtime.recovery.RecoveryLoop;
import io.sagaorchestrator.testsupport.PostgresTestResource;
import io.sagaorchestrator.testsupport.TtWireMock;
import org.eclipse.microprofile.config.ConfigProvider;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;

/**
 * Plays a {@link Scenario} through the real engine of a {@code @QuarkusTest}: its third parties are WireMock stubs (the
 * suite's one double, {@link TtWireMock}, whose base paths the default test profile gives every target), the saga is
 * started through its HTTP start ({@code POST /api/sagas/<saga>}), and what it did is read from the log and the double.
 *
 * <h2>Time</h2>
 * The default test profile compresses every retry delay a hundredfold ({@code saga.engine.delay-factor=0.01}): in-process
 * retry waits are that short already. A saga parked for its next attempt is not waited for: the runner moves its
 * wake-up time ({@code wake_at}) to now and asks the recovery loop to take what is due ({@link RecoveryLoop#takeDueNow}).
 * That is faithful: a parked saga is only a row with a wake-up time and no owner, and recovery claims it exactly as it
 * would have when the time came; what the engine decided (the attempt counts, the budget, the direction) is untouched.
 * Only the length of the wait is skipped, as a workflow engine's test clock skips it. A saga that is being advanced
 * (it has an owner) is never touched.
 *
 * <h2>Kills</h2>
 * A process-level crash halts the JVM; a test JVM cannot. {@code killAfter} arms
 * {@link CrashPoints#abandonRunOnce}: when the run reaches the point in that step (after an attempt's intent committed,
 * before its call; or after a local step committed), it throws and stops, committing nothing more, and leaves the
 * saga owned with its lease as a dead process would. What it held in memory (outcomes not yet logged) is lost with it.
 * The runner then lets the lease run out at once (moves {@code wake_at} to now, as the passing of the lease would) and
 * recovery takes the saga over, marking the interrupted attempt as of unknown outcome. What this does not prove, the
 * process-level crash matrices do ({@code CrashPointMatrixIT}, {@code OrderCheckoutCrashMatrixIT}): that a halted
 * process loses nothing it committed and that another process resumes from the log alone.
 *
 * <h2>Third parties</h2>
 * A route's answers are given in order, the last one repeating (a WireMock scenario per route). {@code lose: answer}
 * resets the connection once the request has arrived ({@code Fault.CONNECTION_RESET_BY_PEER}): both the JDK client of
 * declared calls and TT's REST client then fail with an I/O error that is not a refused connection, which
 * {@code HttpFailures.forLostAnswer} reads as an {@code UnknownOutcomeFailure}, as for a timeout, without waiting out the
 * step's timeout (5 s in the shipped definitions) for every lost answer. A call no route scripts is answered 404 (which
 * the engine reads as a refusal) and fails the scenario, naming the call: a definition that starts to make a call its
 * scenarios do not know about is caught at once. Requests to third parties of other sagas (other tests of the suite
 * share the double) and escalation alerts are no calls of the scenario.
 */
@Singleton
public final class ScenarioRunner {

    /** How long a scenario may take before it is reported as stuck. */
    private static final long TIMEOUT_MILLIS = 30_000;

    private final CrashPoints crashPoints;
    private final RecoveryLoop recovery;
    private final SagaRunner runner;
    private final String instanceId;
    private final ObjectMapper json = new ObjectMapper();

    ScenarioRunner(CrashPoints crashPoints, RecoveryLoop recovery, SagaRunner runner, Instance instance) {
        this.crashPoints = crashPoints;
        this.recovery = recovery;
        this.runner = runner;
        this.instanceId = instance.id();
    }

    /** A call a double received: its method, third party and path (after the third party's base path). */
    public record Call(String method, String thirdParty, String path, String route) {
        @Override
        public String toString() {
            return method + " " + thirdParty + " " + path;
        }

        /** Whether the expected call names this one, by the path as received or by its route's template. */
        boolean matches(String expected) {
            return expected.equals(toString()) || (route != null && expected.equals(method + " " + thirdParty + " " + route));
        }
    }

    /** What came of a scenario: the saga, its end, the calls the doubles got, and its log as the API shows it. */
    public record Outcome(UUID sagaId, String status, String lastError, Map<String, String> steps, List<Call> calls,
                          List<Call> unscripted, boolean killed, String log) {
    }

    /** Plays the scenario and checks its expectations. @throws AssertionError naming expected against actual, with the log */
    public Outcome play(Scenario scenario) {
        Outcome outcome = run(scenario);
        List<String> mismatches = mismatches(scenario, outcome);
        if (!mismatches.isEmpty()) {
            throw new AssertionError(report(scenario, outcome, mismatches));
        }
        return outcome;
    }

    /** Runs the scenario to the end of its saga, without judging it. */
    public Outcome run(Scenario scenario) {
        WireMock doubles = TtWireMock.client();
        doubles.resetMappings();
        doubles.resetRequests();
        doubles.resetScenarios();
        // escalation alerts go to the same double: accepted, and no call of the saga
        doubles.register(any(urlPathMatching(basePath("saga.escalation.webhook-url") + "(/.*)?")).atPriority(1)
                .willReturn(aResponse().withStatus(200)));
        String run = Long.toString(ThreadLocalRandom.current().nextLong(10_000_000L, 100_000_000L));
        scenario.thirdParties().forEach((party, routes) -> {
            String base = basePath(urlKey(party));
            for (Scenario.Route route : routes) {
                stub(doubles, party + " " + route + " " + run, base, route, run);
            }
        });
        crashPoints.disarm();
        if (scenario.killAfter() != null && scenario.killAfter().point() != Scenario.Point.WAITING) {
            crashPoints.abandonRunOnce(scenario.killAfter().point() == Scenario.Point.INTENT
                    ? CrashPoints.Abandon.AFTER_INTENT : CrashPoints.Abandon.AFTER_LOCAL_COMMIT, scenario.killAfter().step());
        }
        for (String sql : scenario.givenSqlFor(run)) {
            try {
                update(sql);
            } catch (IllegalStateException e) {
                throw new AssertionError("scenario " + scenario.file() + ": given.sql failed: " + sql + ": " + e.getCause().getMessage());
            }
        }
        UUID sagaId;
        boolean killed;
        try {
            sagaId = start(scenario, run);
            boolean killedWhileWaiting = atItsAwait(scenario, sagaId);
            untilEnded(sagaId);
            killed = killedWhileWaiting || sagaId.equals(crashPoints.abandoned());
        } finally {
            crashPoints.disarm();
        }
        JsonNode detail = detail(sagaId);
        Map<String, String> steps = new LinkedHashMap<>();
        detail.path("steps").forEach(s -> steps.put(s.path("name").asText(), s.path("effect").isNull() || s.path("effect").isMissingNode()
                ? "NONE" : s.path("effect").asText()));
        List<Call> calls = received(doubles, scenario);
        List<Call> unscripted = calls.stream().filter(c -> c.route() == null).toList();
        String log;
        try {
            log = json.writerWithDefaultPrettyPrinter().writeValueAsString(detail);
        } catch (Exception e) {
            log = detail.toString();
        }
        return new Outcome(sagaId, detail.path("status").asText(), detail.path("lastError").asText(null), steps, calls, unscripted,
                killed, log);
    }

    /** What does not match, one line each; empty when the scenario holds. */
    public static List<String> mismatches(Scenario scenario, Outcome outcome) {
        Scenario.Expect expect = scenario.expect();
        List<String> wrong = new ArrayList<>();
        if (!outcome.unscripted().isEmpty()) {
            wrong.add("unscripted calls (no route of the scenario answers them; the double answered 404): " + outcome.unscripted());
        }
        if (scenario.killAfter() != null && !outcome.killed()) {
            wrong.add(scenario.killAfter().point() == Scenario.Point.WAITING
                    ? "killAfter waiting: the saga held something while it waited (an owner or a run), which a kill would take"
                    : "killAfter never fired: the run did not reach " + scenario.killAfter().point().name + " of step "
                    + scenario.killAfter().step());
        }
        if (!expect.status().name().equals(outcome.status())) {
            wrong.add("status: expected " + expect.status() + ", actual " + outcome.status()
                    + (outcome.lastError() == null ? "" : " (last error: " + outcome.lastError() + ")"));
        }
        if (expect.calls() != null && !callsMatch(expect.calls(), outcome.calls())) {
            wrong.add("calls:\n    expected " + expect.describeCalls() + "\n    actual   " + outcome.calls());
        }
        if (expect.escalatedBecause() != null
                && (outcome.lastError() == null || !outcome.lastError().contains(expect.escalatedBecause()))) {
            wrong.add("escalatedBecause: expected the last error to contain \"" + expect.escalatedBecause() + "\", actual \""
                    + outcome.lastError() + "\"");
        }
        expect.steps().forEach((step, effect) -> {
            String actual = outcome.steps().getOrDefault(step, "NONE");
            if (!effect.equals(actual)) {
                wrong.add("steps." + step + ": expected " + effect + ", actual " + actual);
            }
        });
        return wrong;
    }

    /** The failure message: the file, each mismatch, and the saga's log. */
    public static String report(Scenario scenario, Outcome outcome, List<String> mismatches) {
        return "scenario " + scenario.file() + " (saga " + outcome.sagaId() + ") did not hold:\n  - "
                + String.join("\n  - ", mismatches) + "\nthe saga's log (GET /api/sagas/" + outcome.sagaId() + "):\n" + outcome.log();
    }

    /** Whether the calls came as expected: run after run, and within a run in any order (the branches of a group). */
    private static boolean callsMatch(List<List<String>> expected, List<Call> actual) {
        int at = 0;
        for (List<String> run : expected) {
            if (at + run.size() > actual.size() || !anyOrder(run, new ArrayList<>(actual.subList(at, at + run.size())))) {
                return false;
            }
            at += run.size();
        }
        return at == actual.size();
    }

    /** Whether each expected call names a call of its own among {@code actual}, whatever their order. */
    private static boolean anyOrder(List<String> expected, List<Call> actual) {
        if (expected.isEmpty()) {
            return true;
        }
        for (int i = 0; i < actual.size(); i++) {
            if (actual.get(i).matches(expected.get(0))) {
                List<Call> rest = new ArrayList<>(actual);
                rest.remove(i);
                if (anyOrder(expected.subList(1, expected.size()), rest)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void stub(WireMock doubles, String wireMockScenario, String base, Scenario.Route route, String run) {
        List<Scenario.Answer> answers = route.answers();
        for (int i = 0; i < answers.size(); i++) {
            ScenarioMappingBuilder mapping = request(route.method(), urlPathMatching(Pattern.quote(base) + route.pathRegex()))
                    .atPriority(2)
                    .inScenario(wireMockScenario)
                    .whenScenarioStateIs(i == 0 ? STARTED : "answered " + i);
            if (i < answers.size() - 1) {
                mapping = mapping.willSetStateTo("answered " + (i + 1));
            }
            doubles.register(mapping.willReturn(response(answers.get(i), run)));
        }
    }

    private static ResponseDefinitionBuilder response(Scenario.Answer answer, String run) {
        if (answer instanceof Scenario.Respond respond) {
            ResponseDefinitionBuilder response = aResponse().withStatus(respond.status());
            return respond.body() == null ? response : response.withHeader("Content-Type", "application/json")
                    .withBody(respond.body().toString().replace("${unique}", run));
        }
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }

    private UUID start(Scenario scenario, String run) {
        Response answer = given().auth().preemptive().basic("client", "client").contentType("application/json")
                .body(scenario.inputFor(run).toString()).post("/api/sagas/" + scenario.saga() + "?wait=0");
        String id = answer.path("sagaId");
        if (id == null) {
            throw new AssertionError("scenario " + scenario.file() + ": the saga did not start: HTTP " + answer.statusCode() + " "
                    + answer.asString());
        }
        return UUID.fromString(id);
    }

    /**
     * Plays the scenario's {@code await:}: the signal sent early, or once the saga waits; or the wait run out. With
     * {@code down}, nobody may take the saga meanwhile: its row is held by an instance that is gone, then released as if
     * that lease had run out. A kill while waiting ({@code killAfter: {point: waiting}}) finds nothing to take.
     *
     * @return whether a kill while waiting was played (it needs the saga to hold nothing)
     */
    private boolean atItsAwait(Scenario scenario, UUID sagaId) {
        Scenario.Await await = scenario.await();
        boolean killWhileWaiting = scenario.killAfter() != null && scenario.killAfter().point() == Scenario.Point.WAITING;
        if (await == null && !killWhileWaiting) {
            return false;
        }
        String signal = await != null ? await.signal() : scenario.killAfter().step();
        if (await != null && await.early()) {
            signal(sagaId, await.signal(), await.send());
            return false;
        }
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!waitsFor(sagaId, await == null ? null : signal)) {
            if (!SagaStatus.LIVE.contains(SagaStatus.valueOf(row(sagaId).status())) || System.currentTimeMillis() > deadline) {
                throw new AssertionError("scenario " + scenario.file() + ": saga " + sagaId + " never came to wait"
                        + (await == null ? "" : " for signal " + signal) + ": " + row(sagaId));
            }
            pause(10);
        }
        boolean heldNothing = false;
        if (killWhileWaiting) {
            long until = System.currentTimeMillis() + 5_000;
            while (runner.advancing(sagaId) && System.currentTimeMillis() < until) {
                pause(10); // the run that released it ends after its last commit
            }
            Row row = row(sagaId);
            heldNothing = row.owner() == null && !runner.advancing(sagaId);
        }
        if (await == null) {
            return heldNothing;
        }
        if (await.down()) {
            update("update saga set owner = 'gone', wake_at = now() + interval '1 day' where id = ? and owner is null", sagaId);
        }
        if (await.send() != null) {
            signal(sagaId, await.signal(), await.send());
        } else if (await.down()) {
            // nobody answers, and the wait runs out while the service is down
            update("update saga set step_deadline_at = now() where id = ?", sagaId);
        }
        if (await.down()) {
            pause(300);
            // the service is back: the gone instance's lease runs out
            update("update saga set wake_at = now() where id = ? and owner = 'gone'", sagaId);
        }
        recovery.takeDueNow();
        return heldNothing;
    }

    private static boolean waitsFor(UUID sagaId, String signal) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
                "select waiting_for from saga where id = ? and owner is null")) {
            ps.setObject(1, sagaId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null && (signal == null || signal.equals(rs.getString(1)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the signal as an application would, in a transaction of its own, with saga_signal. */
    private static void signal(UUID sagaId, String signal, JsonNode payload) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
                "select saga_signal(?, ?, cast(? as jsonb), ?)")) {
            ps.setObject(1, sagaId);
            ps.setString(2, signal);
            ps.setString(3, payload.toString());
            ps.setString(4, "scenario-" + sagaId);
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw new AssertionError("saga_signal refused the scenario's signal: " + e.getMessage(), e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for the saga to end, skipping the waits of its parked retries and, after a kill, its lease (see the class's
     * description).
     */
    private void untilEnded(UUID sagaId) {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        boolean leaseExpired = false;
        while (true) {
            Row row = row(sagaId);
            if (!SagaStatus.LIVE.contains(SagaStatus.valueOf(row.status()))) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("saga " + sagaId + " has not ended within " + TIMEOUT_MILLIS + " ms: " + row + "\n"
                        + detail(sagaId).toPrettyString());
            }
            if (row.owner() == null && row.waiting()) {
                // waiting for a signal nobody sends (or that is on its way): its wait runs out now, as time would make it
                if (update("update saga set step_deadline_at = least(step_deadline_at, now()), wake_at = now() where id = ?"
                        + " and owner is null and waiting_for is not null", sagaId) > 0) {
                    recovery.takeDueNow();
                }
            } else if (row.owner() == null && row.later()) {
                // parked for its next attempt: the time has come
                if (update("update saga set wake_at = now() where id = ? and owner is null and status in ('RUNNING', 'COMPENSATING')",
                        sagaId) > 0) {
                    recovery.takeDueNow();
                }
            } else if (!leaseExpired && sagaId.equals(crashPoints.abandoned()) && instanceId.equals(row.owner())
                    && !runner.advancing(sagaId)) {
                // the killed run's lease: as if it had run out
                leaseExpired = true;
                update("update saga set wake_at = now() where id = ? and owner = ?", sagaId, instanceId);
                recovery.takeDueNow();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private record Row(String status, String owner, boolean later, boolean waiting) {
    }

    private static Row row(UUID sagaId) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
                "select status, owner, wake_at > now(), waiting_for is not null from saga where id = ?")) {
            ps.setObject(1, sagaId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("saga " + sagaId + " is not in the log");
                }
                return new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int update(String sql, Object... params) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connection() throws SQLException {
        return DriverManager.getConnection(PostgresTestResource.jdbcUrl(), PostgresTestResource.user(), PostgresTestResource.password());
    }

    private JsonNode detail(UUID sagaId) {
        String body = given().auth().preemptive().basic("viewer", "viewer").get("/api/sagas/" + sagaId).asString();
        try {
            return json.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException("GET /api/sagas/" + sagaId + " answered " + body, e);
        }
    }

    /** The calls the doubles got, in order, each with its third party and the route that answered it (none: unscripted). */
    private List<Call> received(WireMock doubles, Scenario scenario) {
        // every third party the test profile configures: a call is its party's whose base path is the longest match
        // (only those the double stands for: a target elsewhere, e.g. a closed port, never reaches it)
        Map<String, String> bases = new LinkedHashMap<>();
        String doubleAt = authority(urlKey(Scenario.TT));
        String tt = basePath(urlKey(Scenario.TT));
        bases.put(Scenario.TT, tt);
        for (String key : ConfigProvider.getConfig().getPropertyNames()) {
            // a declared target at TT's own URL (user-sync's check of its undo, tt-user-api) is TT: scenarios call it tt
            if (key.startsWith(HttpCall.URL_PREFIX) && key.endsWith(".url") && doubleAt.equals(authority(key))
                    && !basePath(key).equals(tt)) {
                bases.put(key.substring(HttpCall.URL_PREFIX.length(), key.length() - ".url".length()), basePath(key));
            }
        }
        String alerts = basePath("saga.escalation.webhook-url");
        // newest first as WireMock lists them: oldest first, then by time (a stable sort keeps calls of one millisecond in order)
        List<ServeEvent> events = new ArrayList<>(doubles.getServeEvents());
        java.util.Collections.reverse(events);
        events.sort(Comparator.comparing((ServeEvent e) -> e.getRequest().getLoggedDate()));
        List<Call> calls = new ArrayList<>();
        for (ServeEvent event : events) {
            LoggedRequest request = event.getRequest();
            String path = URI.create(request.getUrl()).getPath();
            if (path.equals(alerts) || path.startsWith(alerts + "/")) {
                continue;
            }
            String party = null;
            String base = "";
            for (Map.Entry<String, String> b : bases.entrySet()) {
                boolean under = b.getValue().isEmpty() || path.equals(b.getValue()) || path.startsWith(b.getValue() + "/");
                if (under && (party == null || b.getValue().length() > base.length())) {
                    party = b.getKey();
                    base = b.getValue();
                }
            }
            if (party == null || !scenario.sagaThirdParties().contains(party)) {
                continue; // not a third party of this saga: another test's saga, not this one's call
            }
            String rest = path.substring(base.length());
            String method = request.getMethod().getName();
            String route = null;
            for (Scenario.Route r : scenario.thirdParties().getOrDefault(party, List.of())) {
                if (r.method().equals(method) && rest.matches(r.pathRegex())) {
                    route = r.path();
                    break;
                }
            }
            calls.add(new Call(method, party, rest, route));
        }
        return calls;
    }

    /** The configuration key of a third party's base URL. */
    static String urlKey(String party) {
        return Scenario.TT.equals(party) ? "quarkus.rest-client.tt-user-api.url" : HttpCall.urlKey(party);
    }

    /** The host and port of a configured URL. */
    static String authority(String key) {
        return URI.create(ConfigProvider.getConfig().getValue(key, String.class)).getAuthority();
    }

    /** The path of a configured URL, without a trailing slash ("" for a URL at the root). */
    static String basePath(String key) {
        String url = ConfigProvider.getConfig().getValue(key, String.class);
        String path = URI.create(url).getPath();
        return path == null ? "" : path.replaceAll("/+$", "");
    }
}
