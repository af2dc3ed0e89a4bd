package io.sagaorchestrator.runtime.dispatch;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * saga_dispatch, the SQL entry point: an application outside the service records a saga in its own transaction, with
 * a plain JDBC connection, as a PHP or Python application would.
 */
@QuarkusTest
class SqlDispatchTest {

    private static final String APP_ROLE = "sql_dispatch_test_app";

    @Inject
    Scheduler scheduler;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void aCommittedDispatchIsStartedAtOnceWithoutTheRecoveryScan() throws Exception {
        // given an SMS gateway that accepts messages, and no recovery scan running
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(aResponse().withStatus(202)));
        scheduler.pause();
        try (Connection app = application()) {
            // when the application writes its own row and dispatches the SMS in one transaction, and commits
            app.setAutoCommit(false);
            ownWrite(app, phone);
            UUID sagaId = dispatch(app, "send-sms", smsInput(phone), null);
            app.commit();

            // then the saga completes within seconds, with the scan paused, and the gateway got the SMS once
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "COMPLETED".equals(status(sagaId)));
            tt().verifyThat(1, postRequestedFor(urlEqualTo("/sms/messages"))
                    .withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone))));
        } finally {
            scheduler.resume();
        }
    }

    @Test
    void aListenerWhoseConnectionWasCutListensAgainAndStartsTheNextDispatchAtOnce() throws Exception {
        // given the recovery scan paused, and the listener's session ended by the database
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(aResponse().withStatus(202)));
        scheduler.pause();
        try {
            long cutPid = count("select coalesce(min(pid), 0) from pg_stat_activity where application_name = 'saga-dispatch-listener'");
            assertTrue(cutPid > 0, "the listener has no session to cut");
            execute("select pg_terminate_backend(pid) from pg_stat_activity where pid = ?", (int) cutPid);

            // when it has listened again, and an application dispatches and commits
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> count(
                    "select count(*) from pg_stat_activity where application_name = 'saga-dispatch-listener' and pid <> ?",
                    (int) cutPid) == 1);
            UUID sagaId;
            try (Connection app = application()) {
                app.setAutoCommit(false);
                ownWrite(app, phone);
                sagaId = dispatch(app, "send-sms", smsInput(phone), null);
                app.commit();
            }

            // then the saga completes within seconds, the scan still paused
            UUID started = sagaId;
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "COMPLETED".equals(status(started)));
        } finally {
            scheduler.resume();
        }
    }

    @Test
    void aRolledBackDispatchLeavesNoSagaAndSendsNothing() throws Exception {
        // given a gateway that would accept the SMS
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(aResponse().withStatus(202)));
        try (Connection app = application()) {
            // when the application dispatches in its transaction, then rolls back
            app.setAutoCommit(false);
            ownWrite(app, phone);
            UUID sagaId = dispatch(app, "send-sms", smsInput(phone), null);
            app.rollback();

            // then there is no saga, and after more than a recovery interval nothing was sent
            Thread.sleep(1_500);
            assertEquals(0, count("select count(*) from saga where id = ?", sagaId));
            tt().verifyThat(0, postRequestedFor(urlEqualTo("/sms/messages"))
                    .withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone))));
        }
    }

    @Test
    void aRepeatedIdempotencyKeyAnswersTheSameSagaAndStartsNothingNew() throws Exception {
        // given a saga dispatched with a key
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(aResponse().withStatus(202)));
        String key = "order-" + phone;
        try (Connection app = application()) {
            UUID first = dispatch(app, "send-sms", smsInput(phone), key);

            // when the application dispatches again with the same key, in another transaction
            UUID second = dispatch(app, "send-sms", smsInput(phone), key);

            // then it gets the same saga, and only one exists and sends
            assertEquals(first, second);
            await().atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(status(first)));
            assertEquals(1, count("select count(*) from saga where idempotency_key = ?", key));
            tt().verifyThat(1, postRequestedFor(urlEqualTo("/sms/messages"))
                    .withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone))));

            // and the same key with another input is refused
            SQLException reused = assertThrows(SQLException.class, () -> dispatch(app, "send-sms", smsInput(uniquePhone()), key));
            assertEquals("23505", reused.getSQLState());
            assertTrue(reused.getMessage().contains("was used for saga " + first + " with another input"), reused.getMessage());
        }
    }

    @Test
    void whatTheFunctionCanCheckItselfFailsTheCallersTransactionWithAClearError() throws Exception {
        try (Connection app = application()) {
            // an unknown definition, naming the ones there are
            SQLException unknown = refused(app, "send-smss", "{}", null);
            assertEquals("42704", unknown.getSQLState());
            assertTrue(unknown.getMessage().contains("there is no saga definition \"send-smss\""), unknown.getMessage());
            assertTrue(unknown.getMessage().contains("send-sms"), unknown.getMessage());
            // an input that is not a JSON object
            SQLException notAnObject = refused(app, "send-sms", "[1, 2]", null);
            assertEquals("22023", notAnObject.getSQLState());
            assertTrue(notAnObject.getMessage().contains("the input must be a JSON object, got array"), notAnObject.getMessage());
            // a definition whose first step is local: the application's transaction would have to be it
            SQLException localFirst = refused(app, "user-sync-outbox", "{}", null);
            assertEquals("22023", localFirst.getSQLState());
            assertTrue(localFirst.getMessage().contains("starts with a local step"), localFirst.getMessage());
            // sizes beyond the limits
            SQLException tooBig = refused(app, "send-sms", "{\"content\": \"" + "x".repeat(70_000) + "\"}", null);
            assertEquals("54000", tooBig.getSQLState());
            SQLException longKey = refused(app, "send-sms", smsInput(uniquePhone()), "k".repeat(201));
            assertEquals("22023", longKey.getSQLState());
        }
    }

    @Test
    void theDispatcherRoleMayDispatchButNeitherReadNorChangeTheSagaLog() throws Exception {
        // given an application's login role that is granted saga_dispatcher and nothing else
        execute("do $$ begin if not exists (select from pg_roles where rolname = '" + APP_ROLE + "') then"
                + " create role " + APP_ROLE + " login password '" + APP_ROLE + "'; end if; end $$");
        execute("grant saga_dispatcher to " + APP_ROLE);
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(aResponse().withStatus(202)));
        try (Connection app = DriverManager.getConnection(PostgresTestResource.jdbcUrl(), APP_ROLE, APP_ROLE)) {
            // when it dispatches, then the saga is recorded with the role as the keys' owner
            UUID sagaId = dispatch(app, "send-sms", smsInput(phone), "k-" + phone);
            assertEquals(1, count("select count(*) from saga where id = ? and caller = ?", sagaId, "sql:" + APP_ROLE));
            await().atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(status(sagaId)));

            // and it can neither read nor change the saga log's tables
            for (String sql : new String[]{"select count(*) from saga", "select count(*) from saga_step_attempt",
                    "select count(*) from saga_definition", "update saga set status = 'RESOLVED' where id = '" + sagaId + "'",
                    "delete from saga_step_attempt"}) {
                SQLException denied = assertThrows(SQLException.class, () -> {
                    try (Statement s = app.createStatement()) {
                        s.execute(sql);
                    }
                }, sql);
                assertEquals("42501", denied.getSQLState(), sql + ": " + denied.getMessage());
            }
        }
    }

    @Test
    void aDispatchedSagaWhoseInputItsActionsCannotUseEndsWithThatErrorInsteadOfBeingRetried() throws Exception {
        // given user-sync input without a name (the function cannot know what user-sync needs)
        String phone = uniquePhone();
        try (Connection app = application()) {
            // when it is dispatched and committed
            UUID sagaId = dispatch(app, "user-sync", "{\"phone\": \"" + phone + "\", \"roleIds\": [3]}", null);

            // then the saga ends, undone, with an error that names its input, and TT was never called
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !"RUNNING".equals(status(sagaId)) && !"COMPENSATING".equals(status(sagaId)));
            assertEquals("COMPENSATED", status(sagaId));
            assertThat(lastError(sagaId), containsString("cannot use the saga's input"));
            tt().verifyThat(0, postRequestedFor(urlEqualTo("/users")));
        }
    }

    @Test
    void aDispatchedSagaIsFoundByTheSearchFieldsItsDefinitionDeclares() throws Exception {
        // given user-sync, which declares search: [phone], dispatched by an application (the function reads no YAML)
        String phone = uniquePhone();
        try (Connection app = application()) {
            UUID sagaId = dispatch(app, "user-sync", "{\"phone\": \"" + phone + "\", \"roleIds\": [3]}", null);

            // when a viewer searches by the phone, then the saga is found, as one started over HTTP is
            as("viewer").get("/api/sagas?businessKey=" + phone).then().statusCode(200)
                    .body("items.sagaId", org.hamcrest.Matchers.contains(sagaId.toString()));
        }
    }

    @Test
    void aDispatchedSagaWhoseInputItsDefinitionDoesNotTakeEscalatesWithoutCallingAnybody() throws Exception {
        // given an SMS gateway that would accept anything
        String phone = "1" + uniquePhone().substring(1, 6);
        tt().register(sms(phone).willReturn(aResponse().withStatus(202)));
        try (Connection app = application()) {
            // when an application dispatches send-sms with a short phone and a field send-sms does not take, and commits
            UUID sagaId = dispatch(app, "send-sms", "{\"phone\": \"" + phone + "\", \"content\": \"hi\", \"lang\": \"en\"}", null);

            // then the saga is escalated naming both faults (a person decides: the application's transaction committed),
            // and the gateway got nothing
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "ESCALATED".equals(status(sagaId)));
            assertThat(lastError(sagaId), containsString("phone must match"));
            assertThat(lastError(sagaId), containsString("lang is not an input of this saga"));
            tt().verifyThat(0, postRequestedFor(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone))));
            assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ?", sagaId));
        }
    }

    // ---- the application -------------------------------------------------------------------------

    /** A plain JDBC connection of an application sharing the database, as the database's owner. */
    private static Connection application() throws SQLException {
        return DriverManager.getConnection(PostgresTestResource.jdbcUrl(), PostgresTestResource.user(), PostgresTestResource.password());
    }

    private static void ownWrite(Connection app, String phone) throws SQLException {
        try (PreparedStatement ps = app.prepareStatement("insert into liaison_info (id, name, phone, username, remote_user_id)"
                + " values (nextval('liaison_info_seq'), 'SQL dispatch', ?, ?, 'local')")) {
            ps.setString(1, phone);
            ps.setString(2, "sql" + phone);
            ps.executeUpdate();
        }
    }

    private static UUID dispatch(Connection app, String definition, String input, String key) throws SQLException {
        try (PreparedStatement ps = app.prepareStatement("select saga_dispatch(?, cast(? as jsonb), ?)")) {
            ps.setString(1, definition);
            ps.setString(2, input);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static SQLException refused(Connection app, String definition, String input, String key) {
        return assertThrows(SQLException.class, () -> dispatch(app, definition, input, key));
    }

    private static String smsInput(String phone) {
        return "{\"phone\": \"" + phone + "\", \"content\": \"your code is 4711\"}";
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder sms(String phone) {
        return post(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone)));
    }

    private static String status(UUID sagaId) throws SQLException {
        return text("select status from saga where id = ?", sagaId);
    }

    private static String lastError(UUID sagaId) throws SQLException {
        return text("select last_error from saga where id = ?", sagaId);
    }

    private static String text(String sql, UUID sagaId) throws SQLException {
        try (Connection c = application(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, sagaId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
