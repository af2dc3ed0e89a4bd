package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A saga of {@code deadline-shop-test} (reserve, then charge, within 3 s; the charge's backoff is far longer) whose shop
 * hangs or keeps failing: the deadline, not the retry budget, ends its forward run, and what it did is undone, so the
 * shop and the log agree. Its deadline lives in the log: a saga left by a dead instance is held to it too.
 */
@QuarkusTest
class SagaPastItsDeadlineIsCompensatedTest {

    private static final String DEFINITION = "deadline-shop-test";

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @BeforeEach
    void freshDouble() {
        resetTt();
    }

    private SagaSnapshot start(String sku) throws Exception {
        return engine.start(definitions.current(DEFINITION).orElseThrow(), json.valueToTree(Map.of("sku", sku)), sku,
                "deadline-test", null, Duration.ofSeconds(5)).ended().get(30, TimeUnit.SECONDS);
    }

    private static void shopReserves(String sku) {
        tt().register(post(urlEqualTo("/shop/deadline/reservations/" + sku)).willReturn(json(201, "{\"id\":\"r-" + sku + "\"}")));
        tt().register(delete(urlEqualTo("/shop/deadline/reservations/r-" + sku)).willReturn(aResponse().withStatus(204)));
        tt().register(post(urlEqualTo("/shop/deadline/refunds")).withRequestBody(equalToJson("{\"reservation\":\"r-" + sku + "\"}"))
                .willReturn(aResponse().withStatus(204)));
    }

    private static void shopCharges(String sku, ResponseDefinitionBuilder answer) {
        tt().register(post(urlEqualTo("/shop/deadline/charges")).withRequestBody(equalToJson("{\"reservation\":\"r-" + sku + "\"}"))
                .willReturn(answer));
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private double deadlinesPassed() {
        var counter = metrics.find("saga.deadline.passed").tag("definition", DEFINITION).counter();
        return counter == null ? 0 : counter.count();
    }

    /** No forward attempt of the saga began after its deadline: the deadline is checked before each one. */
    private static void noForwardAttemptBeganPastTheDeadline(UUID sagaId) {
        assertEquals(0, count("select count(*) from saga_step_attempt a join saga s on s.id = a.saga_id where s.id = ?"
                + " and a.direction = 'FORWARD' and a.started_at > s.deadline_at", sagaId));
        assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ? and outcome = 'PENDING'", sagaId));
    }

    @Test
    void aSagaWhoseChargeHangsPastTheDeadlineIsUndoneIncludingTheChargeInDoubt() throws Exception {
        // given a shop that reserves, and then takes longer than the step's timeout to answer the charge
        String sku = "sku-" + UUID.randomUUID();
        shopReserves(sku);
        shopCharges(sku, json(201, "{}").withFixedDelay(1500));
        double before = deadlinesPassed();
        long t0 = System.nanoTime();

        // when the saga runs
        SagaSnapshot ended = start(sku);

        // then it ends at its deadline, not after the charge's 10 s backoff, having undone the charge that may have
        // happened and the reservation
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertTrue(ended.lastError().startsWith("the saga's deadline of 3s passed at ") && ended.lastError().endsWith(" while at step charge"),
                ended.lastError());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(9), "ended after its backoff, not at its deadline");
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/deadline/refunds")));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/deadline/reservations/r-" + sku)));
        noForwardAttemptBeganPastTheDeadline(ended.id());
        assertEquals(1, count("select count(*) from saga where id = ? and deadline_at = created_at + interval '3 seconds'", ended.id()));
        assertEquals(before + 1, deadlinesPassed());
        // and a person reading the saga sees when its deadline was
        String shown = saga(ended.id().toString()).path("deadlineAt");
        assertEquals(1, count("select count(*) from saga where id = ? and deadline_at = cast(? as timestamptz)", ended.id(), shown));
    }

    @Test
    void theDefinitionsListShowsTheDeadlines() {
        as("viewer").get("/api/definitions").then().statusCode(200)
                .body("find { it.name == 'deadline-shop-test' }.deadlineMillis", equalTo(3000))
                .body("find { it.name == 'user-sync' }", not(hasKey("deadlineMillis")));
    }

    @Test
    void aSagaWhoseChargeKeepsFailingIsUndoneAtItsDeadlineAndTheChargeThatNeverHappenedIsNotRefunded() throws Exception {
        // given a shop that reserves, and then says it cannot charge now (the charge did not happen)
        String sku = "sku-" + UUID.randomUUID();
        shopReserves(sku);
        shopCharges(sku, json(418, "{\"error\":\"try later\"}"));

        // when the saga runs
        SagaSnapshot ended = start(sku);

        // then only the reservation is released, and the saga says why it stopped
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertTrue(ended.lastError().startsWith("the saga's deadline of 3s passed"), ended.lastError());
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/deadline/refunds")));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/deadline/reservations/r-" + sku)));
        noForwardAttemptBeganPastTheDeadline(ended.id());
    }

    @Test
    void aDeadlineThatPassesDuringCompensationChangesNothing() throws Exception {
        // given a shop that declines the charge, and cannot release the reservation until well past the deadline
        String sku = "sku-" + UUID.randomUUID();
        shopReserves(sku);
        shopCharges(sku, json(409, "{\"error\":\"card declined\"}"));
        tt().register(delete(urlEqualTo("/shop/deadline/reservations/r-" + sku)).willReturn(json(503, "{}")));
        double before = deadlinesPassed();
        var started = engine.start(definitions.current(DEFINITION).orElseThrow(), json.valueToTree(Map.of("sku", sku)), sku,
                "deadline-test", null, Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(15)).until(() -> count("select count(*) from saga where id = ? and status = 'COMPENSATING'"
                + " and deadline_at < now() - interval '1 second'", started.sagaId()) == 1);

        // when the shop releases it at last
        tt().register(delete(urlEqualTo("/shop/deadline/reservations/r-" + sku)).willReturn(aResponse().withStatus(204)));

        // then the compensation finishes as if there were no deadline: nothing about it is recorded or counted
        SagaSnapshot ended = started.ended().get(30, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertFalse(ended.lastError().contains("deadline of"), ended.lastError());
        assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ? and direction = 'COMPENSATION'"
                + " and step_name = 'charge'", ended.id()));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/deadline/refunds")));
        assertEquals(before, deadlinesPassed());
    }

    @Test
    void aSagaLeftInFlightByADeadInstanceIsHeldToItsDeadlineByWhoeverResumesIt() {
        // given the log as an instance left it when it died during the charge, with the saga's deadline passed meanwhile
        String sku = "sku-" + UUID.randomUUID();
        shopReserves(sku);
        SagaDefinition d = definitions.current(DEFINITION).orElseThrow();
        UUID sagaId = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                        + " step_index, attempt, step_states, owner, wake_at, version, created_at, deadline_at) values (?, ?, ?, ?,"
                        + " 'RUNNING', ?, cast(? as jsonb), 1, 1, cast(? as jsonb), 'instance-that-died', now() - interval '1 second', 3,"
                        + " now() - interval '10 seconds', now() - interval '7 seconds')",
                sagaId, d.name(), d.version(), d.hash(), sku, "{\"sku\":\"" + sku + "\"}",
                "{\"reserve\": {\"effect\": \"DONE\", \"output\": {\"reservationId\": \"r-" + sku + "\"}}}");
        execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at)"
                + " values (?, 'charge', 'FORWARD', 1, 'PENDING', 'instance-that-died', now() - interval '8 seconds')", sagaId);

        // when recovery takes it over
        awaitStatus(sagaId.toString(), "COMPENSATED");

        // then the charge is not tried again: its interrupted attempt is in doubt, so it is refunded, and the
        // reservation released
        assertTrue(saga(sagaId.toString()).<String>path("lastError").startsWith("the saga's deadline of 3s passed"));
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and step_name = 'charge'"
                + " and direction = 'FORWARD'", sagaId));
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and outcome = 'UNKNOWN'"
                + " and error_class = 'InterruptedAttempt'", sagaId));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/deadline/charges")));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/deadline/refunds")));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/deadline/reservations/r-" + sku)));
    }

    @Test
    void aSagaDispatchedBySqlCountsItsDeadlineFromItsDispatchAndEndsCompensatedWhenItWaitedPastIt() {
        // given a saga an application dispatched by SQL 5 s ago, that no instance has run yet (deadline 3 s)
        String sku = "sku-" + UUID.randomUUID();
        shopReserves(sku);
        SagaDefinition d = definitions.current(DEFINITION).orElseThrow();
        UUID sagaId = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                        + " step_index, attempt, step_states, owner, wake_at, version, created_at) values (?, ?, ?, ?, 'RUNNING', ?,"
                        + " cast(? as jsonb), 0, 0, '{}', null, now(), 1, now() - interval '5 seconds')",
                sagaId, d.name(), d.version(), d.hash(), sku, "{\"sku\":\"" + sku + "\"}");

        // when recovery claims it, then nothing is called: it ends COMPENSATED, its deadline stored as counted
        awaitStatus(sagaId.toString(), "COMPENSATED");
        assertTrue(saga(sagaId.toString()).<String>path("lastError").startsWith("the saga's deadline of 3s passed"));
        assertEquals(1, count("select count(*) from saga where id = ? and deadline_at = created_at + interval '3 seconds'", sagaId));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/deadline/reservations/" + sku)));
    }
}
