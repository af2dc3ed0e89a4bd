package io.sagaorchestrator.testsupport;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Given/when/then helpers for user-sync tests: a TT double per username, the start and read calls
 * of the API, and plain JDBC to look at (and break) the database the way an operator would.
 */
public final class UserSyncFixture {

    public static final String AUTH_TOKEN_OF_TEST_SECRET = io.sagaorchestrator.examples.usersync.AuthToken.md5Hex("test-secret");

    private UserSyncFixture() {
    }

    public static WireMock tt() {
        return TtWireMock.client();
    }

    /** Forgets the stubs, requests and scenario states of earlier tests. */
    public static void resetTt() {
        WireMock tt = tt();
        tt.resetMappings();
        tt.resetRequests();
        tt.resetScenarios();
    }

    /** A phone number no other test uses, so tests never see each other's rows or remote users. */
    public static String uniquePhone() {
        return "139" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    public static MappingBuilder addUser(String username) {
        return post(urlEqualTo("/users"))
                .withHeader("authToken", equalTo(AUTH_TOKEN_OF_TEST_SECRET))
                .withRequestBody(matchingJsonPath("$.username", equalTo(username)));
    }

    public static MappingBuilder deleteUser(String remoteUserId) {
        return delete(urlEqualTo("/users/" + remoteUserId)).withHeader("authToken", equalTo(AUTH_TOKEN_OF_TEST_SECRET));
    }

    public static ResponseDefinitionBuilder ttAnswer(String status, String data) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"" + status + "\"" + (data == null ? "" : ",\"data\":\"" + data + "\"") + "}");
    }

    public static ResponseDefinitionBuilder ttError(int httpStatus) {
        return aResponse().withStatus(httpStatus).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"ERROR\",\"message\":\"injected by the test\"}");
    }

    public static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user);
    }

    public static Response startUserSync(String name, String phone, int waitSeconds) {
        return as("client").contentType("application/json")
                .body("{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\",\"roleIds\":[3]}")
                .post("/api/sagas/user-sync?wait=" + waitSeconds);
    }

    public static Response saga(String sagaId) {
        return as("viewer").get("/api/sagas/" + sagaId);
    }

    /** Waits until the saga has the status, then returns its detail. */
    public static Response awaitStatus(String sagaId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(saga(sagaId).path("status")));
        return saga(sagaId);
    }

    /**
     * Puts a user-sync saga into the log as an instance would have left it: RUNNING at ttAddUser after
     * {@code attempts} attempts whose outcome is unknown, owned by nobody, next attempt in {@code wakeIn}.
     */
    public static java.util.UUID givenStuckUserSync(String definitionHash, int definitionVersion, String username, String phone,
                                                    int attempts, Duration wakeIn) {
        return givenStuckUserSync(java.util.UUID.randomUUID(), definitionHash, definitionVersion, username, phone, attempts, wakeIn);
    }

    /** As above, with the saga id the test needs. */
    public static java.util.UUID givenStuckUserSync(java.util.UUID id, String definitionHash, int definitionVersion, String username,
                                                    String phone, int attempts, Duration wakeIn) {
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                        + " step_index, attempt, step_states, owner, wake_at, version, last_error) values (?, 'user-sync', ?, ?, 'RUNNING', ?,"
                        + " cast(? as jsonb), 0, ?, '{\"tt-add-user\": {\"effect\": \"UNCERTAIN\"}}', null,"
                        + " now() + ? * interval '1 millisecond', 1, 'tt-add-user: UnknownOutcomeFailure: HTTP 503')",
                id, definitionVersion, definitionHash, username,
                "{\"name\":\"Stuck\",\"phone\":\"" + phone + "\",\"roleIds\":[3],\"username\":\"" + username + "\"}",
                attempts, wakeIn.toMillis());
        for (int a = 1; a <= attempts; a++) {
            execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at, ended_at,"
                    + " error_class, error_message) values (?, 'tt-add-user', 'FORWARD', ?, 'UNKNOWN', 'gone', now(), now(),"
                    + " 'UnknownOutcomeFailure', 'ttAddUser failed with HTTP 503')", id, a);
        }
        return id;
    }

    /** A liaison with this phone exists already, so saving another one breaks liaison_info's unique phone. */
    public static void givenTheLocalSaveWillFail(String phone) {
        execute("insert into liaison_info (id, name, phone, username, remote_user_id) values (nextval('liaison_info_seq'), 'Someone Else', ?, ?, 'tt-other')",
                phone, "someoneelse" + phone);
    }

    public static Response operate(String user, String sagaId, String operation, String body) {
        return as(user).contentType("application/json").body(body).post("/api/sagas/" + sagaId + "/" + operation);
    }

    public static long count(String sql, Object... params) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(String sql, Object... params) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connection() throws SQLException {
        return DriverManager.getConnection(PostgresTestResource.jdbcUrl(), PostgresTestResource.user(), PostgresTestResource.password());
    }
}
