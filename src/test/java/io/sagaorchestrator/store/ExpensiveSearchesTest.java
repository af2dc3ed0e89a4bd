package io.sagaorchestrator.store;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.core.SagaStatus;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Searches cannot drain the service: they read through a small pool of their own whose statements
 * time out, a search that runs too long or finds no free connection answers 503 problem+json, and
 * starts and readiness go on meanwhile. The error-text search is answered by an index.
 */
@QuarkusTest
class ExpensiveSearchesTest {

    @Inject
    @DataSource("reads")
    AgroalDataSource reads;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void readConnectionsHaveTheStatementTimeout() throws SQLException {
        // given a connection of the read side, when its statement timeout is asked for, then it is the configured one
        try (Connection c = reads.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("show statement_timeout")) {
            rs.next();
            assertEquals("5s", rs.getString(1));
        }
    }

    @Test
    void aSearchStoppedByTheStatementTimeoutAnswers503SayingHowToNarrowIt() throws SQLException {
        // given the saga table locked by somebody else for longer than the statement timeout (released after 10 s at the latest)
        ScheduledExecutorService release = Executors.newSingleThreadScheduledExecutor();
        try (Connection locker = DriverManager.getConnection(PostgresTestResource.jdbcUrl(), PostgresTestResource.user(),
                PostgresTestResource.password())) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("lock table saga in access exclusive mode");
            }
            release.schedule(() -> rollback(locker), 10, TimeUnit.SECONDS);

            // when a viewer searches, then PostgreSQL stops the search at the timeout and the viewer is told what to do
            long started = System.nanoTime();
            as("viewer").get("/api/sagas?businessKey=nobody").then().statusCode(503).contentType("application/problem+json")
                    .body("type", equalTo("/problems/search-timed-out"))
                    .body("title", equalTo("The search took too long and was stopped"))
                    .body("detail", containsString("Narrow it"));
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 9, "answered at the timeout, not when the lock went");
            rollback(locker);
        } finally {
            release.shutdownNow();
        }
    }

    @Test
    void whenEveryReadConnectionIsBusySearchesAnswer503AndStartsAndReadinessGoOn() throws SQLException {
        // given every connection of the read side held by searches that have not finished
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < reads.getConfiguration().connectionPoolConfiguration().maxSize(); i++) {
                held.add(reads.getConnection());
            }

            // when one more search arrives, then it waits for the pool's acquisition timeout and answers 503
            as("viewer").get("/api/sagas?error=nothing like it").then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "1")
                    .body("type", equalTo("/problems/searches-busy"));
            // and a saga still starts and completes, and the service stays ready
            String phone = uniquePhone();
            tt().register(addUser("busy" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
            startUserSync("Busy", phone, 10).then().statusCode(200).body("status", equalTo("COMPLETED"));
            given().get("/q/health/ready").then().statusCode(200);
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void anErrorTextShorterThanThreeCharactersIsRefused() {
        // when a viewer searches for two characters of error text, then the answer says why and how long it must be
        as("viewer").get("/api/sagas?error=ab").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("at least 3 characters"));
    }

    @Test
    void theErrorTextSearchReadsTheEndedSagasTrigramIndexAndTheLiveSagasIndex() throws SQLException {
        // given the statement of an error-text search, when PostgreSQL plans it, then it reads the trigram index for the
        // ended sagas and the live sagas' index for the rest, and never the whole table
        String plan = plan(new SagaQueries.Filter(null, null, null, null, null, null, null, "HTTP 422", null, null, null, null));
        assertTrue(plan.contains("saga_last_error_trgm_idx"), plan);
        assertTrue(plan.contains("saga_live_created_idx"), plan);
        assertFalse(plan.contains("Seq Scan"), plan);
    }

    @Test
    void aBusinessKeySearchFindsSearchAttributesThroughTheirIndexNotThroughTheSagaTable() throws SQLException {
        // given the statement of a search by a phone (user-sync declares search: [phone])
        String plan = plan(new SagaQueries.Filter(null, null, "13800000000", null, null, null, null, null, null, null, null, null));

        // then both halves are index-served: the business key's index and the search attributes' index
        assertTrue(plan.contains("saga_business_key_idx"), plan);
        assertTrue(plan.contains("saga_search_value_idx"), plan);
    }

    @Test
    void aListOfLiveOrRareStatusesReadsTheirPartialIndex() throws SQLException {
        // given lists of live sagas and of escalated ones, when PostgreSQL plans them, then each reads the index that
        // holds only those sagas (completed sagas are in neither, so completing a saga leaves both)
        String live = plan(new SagaQueries.Filter(java.util.EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING), null, null,
                null, null, null, null, null, null, null, null, null));
        assertTrue(live.contains("saga_live_created_idx"), live);
        String escalated = plan(new SagaQueries.Filter(java.util.EnumSet.of(SagaStatus.ESCALATED), null, null, null, null, null,
                null, null, null, null, null, null));
        assertTrue(escalated.contains("saga_status_created_idx"), escalated);
    }

    /** The plan of a list's statement, PostgreSQL told to avoid reading the whole table (which is small in the tests). */
    private static String plan(SagaQueries.Filter filter) throws SQLException {
        SagaQueries.Sql search = SagaQueries.listSql(filter, null, 50);
        StringBuilder plan = new StringBuilder();
        try (Connection c = DriverManager.getConnection(PostgresTestResource.jdbcUrl(), PostgresTestResource.user(),
                PostgresTestResource.password())) {
            try (Statement s = c.createStatement()) {
                s.execute("set enable_seqscan = off");
                s.execute("set enable_indexscan = off");
            }
            try (PreparedStatement ps = c.prepareStatement("explain " + search.text())) {
                SagaQueries.bind(ps, search.params());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return plan.toString();
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
