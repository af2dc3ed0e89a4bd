package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.core.AttemptRecord;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.store.SagaLog;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A parallel group in the running engine (test definitions {@code group-shop-test} and {@code group-one-at-a-time-test},
 * against the WireMock double): its branches run side by side and their intents commit together; a branch refused while
 * its siblings are in flight lets them end, then undoes everything that took effect or may have; a branch killed in
 * flight is resumed from the log.
 */
@QuarkusTest
class ParallelGroupRunTest {

    private static final int SLOW_MS = 600;

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    SagaLog log;

    @Inject
    CrashPoints crashPoints;

    @Inject
    ObjectMapper json;

    @BeforeEach
    void freshDouble() {
        resetTt();
    }

    @AfterEach
    void disarm() {
        crashPoints.disarm();
    }

    private static ResponseDefinitionBuilder answer(int status, String id) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("{\"id\":\"" + id + "\"}");
    }

    /** A shop that answers every call of {@code sku} after {@code SLOW_MS}, each branch with an id of its own. */
    private static void slowShop(String sku) {
        for (String path : List.of("reservations", "charges", "shipments", "notices", "confirmations")) {
            tt().register(post(urlEqualTo("/shop/" + path + "/" + sku)).willReturn(answer(201, path + "-1")
                    .withFixedDelay(path.equals("reservations") || path.equals("confirmations") ? 0 : SLOW_MS)));
        }
        tt().register(delete(urlMatching("/shop/.*")).willReturn(aResponse().withStatus(204)));
    }

    private SagaEngine.Started start(String definition, String sku) {
        return start(definition, sku, Duration.ofSeconds(10));
    }

    private SagaEngine.Started start(String definition, String sku, Duration runHere) {
        JsonNode input = json.valueToTree(Map.of("sku", sku));
        return engine.start(definitions.current(definition).orElseThrow(), input, sku, "group-test", null, runHere);
    }

    private List<AttemptRecord> forward(UUID sagaId, Set<String> steps) {
        return log.inNewTransaction((l, c) -> l.attempts(sagaId)).stream()
                .filter(a -> a.direction() == Direction.FORWARD && steps.contains(a.stepName())).toList();
    }

    @Test
    void theBranchesRunSideBySideTheirIntentsCommitTogetherAndTheSagaGoesOnWithTheirOutputs() throws Exception {
        // given a shop whose three settle calls take 600 ms each
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);

        // when the saga runs
        long t0 = System.nanoTime();
        SagaSnapshot ended = start("group-shop-test", sku).ended().get(20, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        // then it completes, with each branch's output recorded and read by the step after the group
        assertEquals(SagaStatus.COMPLETED, ended.status(), ended.lastError());
        assertEquals("charges-1", ended.stepState("charge").output().get("chargeId").asText());
        assertEquals("shipments-1", ended.stepState("ship").output().get("shipmentId").asText());
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/confirmations/" + sku))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson("{\"charge\": \"charges-1\"}")));
        // and the group took about its slowest branch, not the sum of the three
        assertTrue(millis < 3 * SLOW_MS, "the group took " + millis + " ms; its branches take " + SLOW_MS + " ms each");
        // and the three intents were begun in one commit: one start time, consecutive attempt numbers
        List<AttemptRecord> branches = forward(ended.id(), Set.of("charge", "ship", "notify"));
        assertEquals(3, branches.size());
        assertEquals(1, branches.stream().map(AttemptRecord::startedAt).distinct().count(), branches.toString());
        assertEquals(Set.of(1, 2, 3), branches.stream().map(AttemptRecord::attempt).collect(Collectors.toSet()));
        // and the saga's detail names the group of each branch, and none for the steps around it
        saga(ended.id().toString()).then().statusCode(200)
                .body("steps.find { it.name == 'ship' }.group", equalTo("settle"))
                .body("steps.find { it.name == 'reserve' }.group", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aBranchRefusedWhileItsSiblingsAreInFlightLetsThemEndThenUndoesThemAndTheReservation() throws Exception {
        // given a shop that refuses the charge at once while shipping and notifying take 600 ms
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);
        tt().register(post(urlEqualTo("/shop/charges/" + sku)).willReturn(answer(409, "none")));

        // when the saga runs
        SagaSnapshot ended = start("group-shop-test", sku).ended().get(20, TimeUnit.SECONDS);

        // then the siblings in flight were not abandoned: they ended, were recorded, and were undone, as was the reservation
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        assertTrue(ended.lastError().contains("group settle: charge"), ended.lastError());
        assertEquals(Effect.COMPENSATED, ended.stepState("ship").effect());
        assertEquals(Effect.COMPENSATED, ended.stepState("notify").effect());
        assertEquals(Effect.COMPENSATED, ended.stepState("reserve").effect());
        // and the refused charge, which took no effect, was not undone; nothing ran after the group
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/shop/charges/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/shipments/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/notices/.*")));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/confirmations/" + sku)));
    }

    @Test
    void aBranchWhoseAnswerIsLostIsUndoneAsPossiblyDoneWhenASiblingFails() throws Exception {
        // given a shop that drops the connection of the shipment (it may have been booked) and refuses the notice
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);
        tt().register(post(urlEqualTo("/shop/shipments/" + sku)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        tt().register(post(urlEqualTo("/shop/notices/" + sku)).willReturn(answer(422, "none")));

        SagaSnapshot ended = start("group-shop-test", sku).ended().get(20, TimeUnit.SECONDS);

        // then the shipment, whose outcome is unknown, is undone with the charge that succeeded
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        assertTrue(forward(ended.id(), Set.of("ship")).stream().anyMatch(a -> a.outcome() == Outcome.UNKNOWN));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/shipments/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/charges/.*")));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/shop/notices/.*")));
    }

    @Test
    void oneAtATimeABranchThatFailsStartsNoFurtherBranch() throws Exception {
        // given a group that runs one branch at a time, and a charge (its first) refused
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);
        tt().register(post(urlEqualTo("/shop/charges/" + sku)).willReturn(answer(409, "none")));

        SagaSnapshot ended = start("group-one-at-a-time-test", sku).ended().get(20, TimeUnit.SECONDS);

        // then the shipment and the notice were never asked for, and only the reservation is undone
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/shipments/" + sku)));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/notices/" + sku)));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/reservations/.*")));
    }

    @Test
    void aRunKilledWithBranchesInFlightIsResumedFromTheLogAndUndoesEveryBranchThatMayHaveTakenEffect() throws Exception {
        // given a run killed right after the intents of the group committed, before the shipment's call, and branches
        // whose budget is one attempt (the interrupted one)
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);
        crashPoints.abandonRunOnce(CrashPoints.Abandon.AFTER_INTENT, "ship");

        // when recovery takes the saga over once its lease has run out
        SagaSnapshot ended = start("group-shop-test", sku).ended().get(30, TimeUnit.SECONDS);

        // then every branch left in flight is recorded as interrupted (its call may have happened) and, their budgets
        // spent, the saga undoes all three branches and the reservation: nothing of the group is left behind
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        for (String branch : List.of("charge", "ship", "notify")) {
            List<AttemptRecord> attempts = forward(ended.id(), Set.of(branch));
            assertTrue(attempts.stream().anyMatch(a -> a.outcome() == Outcome.UNKNOWN), branch + ": " + attempts);
        }
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/charges/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/shipments/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/notices/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/reservations/.*")));
    }

    @Test
    void aPauseFoundWhileABranchIsInFlightStartsNoFurtherBranchUntilTheSagaIsResumed() throws Exception {
        // given a group that runs one branch at a time, whose charge is in flight
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);
        // slow enough for the pause to come while it is in flight
        tt().register(post(urlEqualTo("/shop/charges/" + sku)).willReturn(answer(201, "charges-1").withFixedDelay(4000)));
        SagaEngine.Started started = start("group-one-at-a-time-test", sku, Duration.ZERO);
        // (the double journals a request once answered: the log's intent tells the call is under way)
        await().atMost(Duration.ofSeconds(10)).until(() -> forward(started.sagaId(), Set.of("charge")).stream()
                .anyMatch(a -> a.outcome() == Outcome.PENDING));

        // when an operator pauses it
        operate("operator", started.sagaId().toString(), "pause", "{\"reason\": \"the carrier is down\"}").then().statusCode(200);
        assertTrue(tt().find(postRequestedFor(urlEqualTo("/shop/shipments/" + sku))).isEmpty(), "paused with the charge in flight");

        // then the charge ends and is recorded, and no further branch starts while the saga stays paused
        await().atMost(Duration.ofSeconds(10)).until(() -> "DONE".equals(saga(started.sagaId().toString())
                .path("steps.find { it.name == 'charge' }.effect")));
        Thread.sleep(2 * SLOW_MS);
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/shipments/" + sku)));
        saga(started.sagaId().toString()).then().body("status", equalTo("RUNNING")).body("paused", equalTo(true));

        // and when it is resumed, the open branches run and the saga completes, the charge made once
        operate("operator", started.sagaId().toString(), "resume", "{\"reason\": \"the carrier is back\"}").then().statusCode(200);
        SagaSnapshot ended = started.ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPLETED, ended.status(), ended.lastError());
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/charges/" + sku)));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/shipments/" + sku)));
    }

    @Test
    void anOperatorSkipsTheBranchThatEscalatedAndTheSagaGoesOnWithWhatItsSiblingsDid() throws Exception {
        // given a group whose charge, refused, asks for a person, while the shipment and the notice succeed beside it
        String sku = "sku-" + UUID.randomUUID();
        slowShop(sku);
        tt().register(post(urlEqualTo("/shop/charges/" + sku)).willReturn(answer(409, "none")));
        SagaSnapshot escalated = start("group-escalate-test", sku).ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.ESCALATED, escalated.status(), escalated.lastError());
        assertEquals(Effect.DONE, escalated.stepState("ship").effect());
        String id = escalated.id().toString();

        // when an operator names a branch that is done already, then the skip is refused and says which are open
        operate("operator", id, "skip", "{\"reason\": \"charged by phone\", \"step\": \"ship\", \"output\": {}}")
                .then().statusCode(409).body("detail", org.hamcrest.Matchers.containsString("open branches are charge"));

        // and when the operator, who charged the card by phone, skips the charge with its output
        operate("operator", id, "skip", "{\"reason\": \"charged by phone\", \"step\": \"charge\","
                + " \"output\": {\"chargeId\": \"by-phone-1\"}}").then().statusCode(200);

        // then the saga goes on past the group, with what the siblings did kept (nothing made twice), and completes
        await().atMost(Duration.ofSeconds(20)).until(() -> "COMPLETED".equals(saga(id).path("status")));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/shipments/" + sku)));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/notices/" + sku)));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/confirmations/" + sku))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson("{\"charge\": \"by-phone-1\"}")));
    }
}
