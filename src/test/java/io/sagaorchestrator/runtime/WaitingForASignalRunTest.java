package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.store.SagaLog;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * An {@code await} step in the running engine (test definitions {@code approval-shop-test} and
 * {@code approval-quick-test}, against the WireMock double): the saga waits released and shows as waiting; a signal
 * over HTTP or SQL wakes it at once and is the step's output; a signal sent early is kept for it; a refusal or a
 * timeout undoes the reservation; signals that do not fit answer problem+json and change nothing.
 */
@QuarkusTest
class WaitingForASignalRunTest {

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    SagaLog log;

    @Inject
    AgroalDataSource db;

    @Inject
    ObjectMapper json;

    @BeforeEach
    void freshDouble() {
        resetTt();
    }

    private static ResponseDefinitionBuilder answer(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("{\"id\":\"x-1\"}");
    }

    private record Started(UUID id, String sku, CompletableFuture<SagaSnapshot> ended) {
    }

    private Started start(String definition) {
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer(201)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(answer(201)));
        tt().register(delete(urlMatching("/shop/reservations/.*")).willReturn(answer(204)));
        JsonNode input = json.valueToTree(Map.of("sku", sku));
        SagaEngine.Started started = engine.start(definitions.current(definition).orElseThrow(), input, sku, "await-test", null,
                Duration.ofSeconds(5));
        return new Started(started.sagaId(), sku, started.ended());
    }

    private static void waitsFor(UUID id, String signal) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> signal.equals(saga(id.toString()).path("waitingFor")));
    }

    private static io.restassured.response.Response send(UUID id, String signal, String signalId, String payload) {
        return as("operator").contentType("application/json").header("Idempotency-Key", signalId).body(payload)
                .post("/api/sagas/" + id + "/signals/" + signal);
    }

    @Test
    void aWaitingSagaHoldsNothingShowsAsWaitingAndASignalWakesItWithItsPayloadAsOutput() throws Exception {
        // given a saga that reserved and waits for the approval
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        // then it holds no lease and no thread, and shows as waiting in its detail, the list and the stats
        saga(s.id().toString()).then().body("status", equalTo("RUNNING")).body("waitingFor", equalTo("approval"))
                .body("retrying", equalTo(false));
        assertNull(saga(s.id().toString()).path("owner"));
        as("viewer").get("/api/sagas?definition=approval-shop-test").then()
                .body("items.find { it.sagaId == '" + s.id() + "' }.waitingFor", equalTo("approval"));
        as("viewer").get("/api/sagas/stats").then().statusCode(200).body("waitingForSignal", org.hamcrest.Matchers.greaterThan(0));
        as("viewer").get("/q/metrics").then().statusCode(200).body(containsString("saga_waiting_for_signal "));
        assertFalse(s.ended().isDone());

        // when the manager approves over HTTP
        send(s.id(), "approval", "ok-" + s.id(), "{\"approved\": true, \"comment\": \"fine\"}").then().statusCode(202)
                .body("step", equalTo("manager-approval")).body("signalId", equalTo("ok-" + s.id()));

        // then the saga wakes at once (well before the 48 h), confirms with the approval it read, and completes
        SagaSnapshot ended = s.ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPLETED, ended.status());
        assertEquals(Effect.DONE, ended.stepState("manager-approval").effect());
        assertEquals(json.readTree("{\"approved\": true, \"comment\": \"fine\"}"), ended.stepState("manager-approval").output());
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/confirmations/" + s.sku()))
                .withRequestBody(equalToJson("{\"approved\": true}")));
        saga(s.id().toString()).then().body("waitingFor", equalTo(null));
    }

    @Test
    void theSameSignalIdTwiceAnswersTheSameAndChangesNothing() {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");
        // (the saga may take the first before the second comes: the id is looked at first, so the answer is the same)
        String body = "{\"approved\": true}";

        String first = send(s.id(), "approval", "twice-" + s.id(), body).then().statusCode(202).extract().asString();
        String second = send(s.id(), "approval", "twice-" + s.id(), body).then().statusCode(202).extract().asString();

        assertEquals(first, second);
        assertEquals(1, log.inNewTransaction((l, c) -> l.signals(s.id())).size());
    }

    @Test
    void aSignalSentBeforeTheSagaReachesItsAwaitIsKeptForIt() throws Exception {
        // given the shop takes its time to reserve
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer(201).withFixedDelay(2000)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(answer(201)));
        SagaEngine.Started started = engine.start(definitions.current("approval-shop-test").orElseThrow(),
                json.valueToTree(Map.of("sku", sku)), sku, "await-test", null, Duration.ZERO);

        // when the approval is sent while the saga still reserves
        send(started.sagaId(), "approval", "early-" + sku, "{\"approved\": true}").then().statusCode(202);
        assertNull(saga(started.sagaId().toString()).path("waitingFor"));

        // then the saga takes it when it gets there, without waiting
        SagaSnapshot ended = started.ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPLETED, ended.status());
    }

    @Test
    void aRefusalUndoesTheReservation() throws Exception {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        send(s.id(), "approval", "no-" + s.id(), "{\"approved\": false, \"comment\": \"too dear\"}").then().statusCode(202);

        SagaSnapshot ended = s.ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/reservations/" + s.id() + "%3Areserve")));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/confirmations/" + s.sku())));
        saga(s.id().toString()).then().body("lastError", containsString("refused by signal 'approval'"));
    }

    @Test
    void nobodyAnsweringInTimeUndoesTheReservation() throws Exception {
        // given a saga that waits two seconds at most
        Started s = start("approval-quick-test");
        waitsFor(s.id(), "approval");

        // then, with nobody answering, the recovery scan wakes it when its wait runs out and it undoes the reservation
        SagaSnapshot ended = s.ended().get(30, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/reservations/" + s.id() + "%3Areserve")));
        saga(s.id().toString()).then().body("lastError", containsString("no signal 'approval' came within 2s"));

        // and a signal sent now answers that the saga waits no more
        send(s.id(), "approval", "late-" + s.id(), "{\"approved\": true}").then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo("/problems/not-waiting"));
    }

    @Test
    void aSignalSentFromTheApplicationsOwnTransactionWakesTheSaga() throws Exception {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        // when the application sends the approval by SQL, in its own transaction
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select saga_signal(?, 'approval', cast(? as jsonb), ?)")) {
            ps.setObject(1, s.id());
            ps.setString(2, "{\"approved\": true}");
            ps.setString(3, "sql-" + s.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals("accepted", rs.getString(1));
            }
        }

        assertEquals(SagaStatus.COMPLETED, s.ended().get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void anInvalidSignalSentBySqlIsSetAsideWhenTheSagaTakesItAndTheSagaWaitsOn() throws Exception {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        // when the application sends a payload SQL cannot check (approved is no boolean)
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select saga_signal(?, 'approval', cast(? as jsonb), ?)")) {
            ps.setObject(1, s.id());
            ps.setString(2, "{\"approved\": \"yes\"}");
            ps.setString(3, "sql-bad-" + s.id());
            ps.executeQuery().close();
        }

        // then the saga sets it aside, saying why, and waits on
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "select refused from saga_signal where saga_id = ?")) {
                ps.setObject(1, s.id());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null && rs.getString(1).contains("approved must be true or false");
                }
            }
        });
        waitsFor(s.id(), "approval");
        assertFalse(s.ended().isDone());

        // and a good one, under another id, is taken
        send(s.id(), "approval", "good-" + s.id(), "{\"approved\": true}").then().log().ifValidationFails().statusCode(202);
        assertEquals(SagaStatus.COMPLETED, s.ended().get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void anInvalidPayloadIsRefusedWithWhatIsWrongAndNothingIsKept() {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        send(s.id(), "approval", "bad-" + s.id(), "{\"comment\": 3}").then().statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", hasItem("payload.approved"))
                .body("detail", containsString("payload.approved is required"))
                .body("detail", containsString("payload.comment must be a string"));

        assertEquals(0, log.inNewTransaction((l, c) -> l.signals(s.id())).size());
        saga(s.id().toString()).then().body("waitingFor", equalTo("approval"));
    }

    @Test
    void aSignalTheSagaNeverWaitsForAnswersNotFound() {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        send(s.id(), "payment", "p-" + s.id(), "{}").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("/problems/no-such-await")).body("detail", containsString("waits for: approval"));
        send(UUID.randomUUID(), "approval", "p-" + s.id(), "{\"approved\": true}").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aSecondSignalUnderAnotherIdIsAConflict() {
        Started s = start("approval-shop-test");
        // the saga is paused so that it cannot take the first signal before the second comes
        waitsFor(s.id(), "approval");
        as("operator").contentType("application/json").body("{\"reason\":\"hold it\"}").post("/api/sagas/" + s.id() + "/pause")
                .then().statusCode(200);

        send(s.id(), "approval", "a-" + s.id(), "{\"approved\": true}").then().statusCode(202);
        send(s.id(), "approval", "b-" + s.id(), "{\"approved\": false}").then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo("/problems/signal-conflict"));
    }

    @Test
    void onlyTheRolesTheAwaitNamesMaySendIt() {
        Started s = start("approval-shop-test");
        waitsFor(s.id(), "approval");

        as("viewer").contentType("application/json").header("Idempotency-Key", "v-1").body("{\"approved\": true}")
                .post("/api/sagas/" + s.id() + "/signals/approval").then().statusCode(403)
                .contentType("application/problem+json");
    }
}
