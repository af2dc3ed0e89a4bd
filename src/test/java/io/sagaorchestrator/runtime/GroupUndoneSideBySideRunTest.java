package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group undone side by side ({@code compensation: parallel}, test definition {@code group-undone-together-test}) in the
 * running engine, against the WireMock double: a refused confirmation undoes the three branches at once, their intents
 * in one commit, and the reservation only after all three; an undo that keeps failing escalates once its siblings are
 * undone, and an operator's retry undoes only what is left; a run killed with undos in flight is resumed from the log.
 */
@QuarkusTest
class GroupUndoneSideBySideRunTest {

    private static final int SLOW_MS = 600;
    private static final Set<String> BRANCHES = Set.of("charge", "ship", "notify");

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

    /** A shop that takes every call of {@code sku}, refuses its confirmation, and takes 600 ms to undo each branch. */
    private static void shopRefusingTheConfirmation(String sku, int confirmationDelayMs) {
        for (String path : List.of("reservations", "charges", "shipments", "notices")) {
            tt().register(post(urlEqualTo("/shop/" + path + "/" + sku)).willReturn(answer(201, path + "-1")));
        }
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(answer(409, "closed")
                .withFixedDelay(confirmationDelayMs)));
        tt().register(delete(urlMatching("/shop/reservations/.*")).willReturn(aResponse().withStatus(204)));
        for (String path : List.of("charges", "shipments", "notices")) {
            tt().register(delete(urlMatching("/shop/" + path + "/.*")).willReturn(aResponse().withStatus(204)
                    .withFixedDelay(SLOW_MS)));
        }
    }

    private SagaEngine.Started start(String sku, Duration runHere) {
        JsonNode input = json.valueToTree(Map.of("sku", sku));
        return engine.start(definitions.current("group-undone-together-test").orElseThrow(), input, sku, "group-test", null,
                runHere);
    }

    private List<AttemptRecord> undos(UUID sagaId, Set<String> steps) {
        return log.inNewTransaction((l, c) -> l.attempts(sagaId)).stream()
                .filter(a -> a.direction() == Direction.COMPENSATION && steps.contains(a.stepName())).toList();
    }

    @Test
    void aRefusalAfterTheGroupUndoesItsBranchesAtOnceAndTheReservationOnlyAfterAllOfThem() throws Exception {
        // given a shop that refuses the confirmation and takes 600 ms to undo each branch
        String sku = "sku-" + UUID.randomUUID();
        shopRefusingTheConfirmation(sku, 0);

        // when the saga runs
        SagaSnapshot ended = start(sku, Duration.ofSeconds(10)).ended().get(20, TimeUnit.SECONDS);

        // then everything is undone
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        for (String step : List.of("charge", "ship", "notify", "reserve")) {
            assertEquals(Effect.COMPENSATED, ended.stepState(step).effect(), step);
        }
        // and the three undos began together, in one commit (one start time), and ran side by side
        List<AttemptRecord> branches = undos(ended.id(), BRANCHES);
        assertEquals(3, branches.size(), branches.toString());
        assertEquals(1, branches.stream().map(AttemptRecord::startedAt).distinct().count(), branches.toString());
        Instant lastEnded = branches.stream().map(AttemptRecord::endedAt).max(Instant::compareTo).orElseThrow();
        long undoMillis = Duration.between(branches.get(0).startedAt(), lastEnded).toMillis();
        assertTrue(undoMillis < 2 * SLOW_MS, "the undos took " + undoMillis + " ms; each takes " + SLOW_MS + " ms");
        // and the reservation was undone only once every branch was
        AttemptRecord reservation = undos(ended.id(), Set.of("reserve")).get(0);
        assertTrue(!reservation.startedAt().isBefore(lastEnded), reservation + " began before " + lastEnded);
    }

    @Test
    void anUndoThatKeepsFailingEscalatesOnceItsSiblingsAreUndoneAndARetryUndoesOnlyWhatIsLeft() throws Exception {
        // given a shop whose charges cannot be refunded (503, through both attempts of the charge's undo)
        String sku = "sku-" + UUID.randomUUID();
        shopRefusingTheConfirmation(sku, 0);
        tt().register(delete(urlMatching("/shop/charges/.*")).willReturn(aResponse().withStatus(503)));

        // when the saga runs
        SagaSnapshot escalated = start(sku, Duration.ofSeconds(10)).ended().get(20, TimeUnit.SECONDS);

        // then it escalates naming the charge, after its siblings were undone; the reservation is left for after the group
        assertEquals(SagaStatus.ESCALATED, escalated.status(), escalated.lastError());
        assertTrue(escalated.lastError().startsWith("group settle, undone side by side: charge"), escalated.lastError());
        assertEquals(Effect.COMPENSATED, escalated.stepState("ship").effect());
        assertEquals(Effect.COMPENSATED, escalated.stepState("notify").effect());
        assertEquals(Effect.DONE, escalated.stepState("charge").effect());
        assertEquals(2, undos(escalated.id(), Set.of("charge")).size(), "the charge's undo has a budget of 2");
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/shop/reservations/.*")));

        // when the payment provider is back and an operator retries
        tt().register(delete(urlMatching("/shop/charges/.*")).willReturn(aResponse().withStatus(204)));
        String id = escalated.id().toString();
        operate("operator", id, "retry", "{\"reason\": \"the payment provider is back\"}").then().statusCode(200);

        // then only the charge is undone again, then the reservation, and the saga ends compensated
        await().atMost(Duration.ofSeconds(20)).until(() -> "COMPENSATED".equals(saga(id).path("status")));
        tt().verifyThat(3, deleteRequestedFor(urlMatching("/shop/charges/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/shipments/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/notices/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/reservations/.*")));
    }

    @Test
    void anUndoThatFailsOnceIsMadeAgainAfterItsBackoffAloneAndTheSagaEndsCompensated() throws Exception {
        // given a shop whose first refund answers 503 and the next 204
        String sku = "sku-" + UUID.randomUUID();
        shopRefusingTheConfirmation(sku, 0);
        tt().register(delete(urlMatching("/shop/charges/.*")).inScenario(sku).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("refunding"));
        tt().register(delete(urlMatching("/shop/charges/.*")).inScenario(sku).whenScenarioStateIs("refunding")
                .willReturn(aResponse().withStatus(204)));

        // when the saga runs
        SagaSnapshot ended = start(sku, Duration.ofSeconds(10)).ended().get(30, TimeUnit.SECONDS);

        // then the charge was undone in a second run after its backoff, and its siblings only once
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        List<AttemptRecord> charge = undos(ended.id(), Set.of("charge"));
        assertEquals(2, charge.size(), charge.toString());
        assertTrue(charge.get(0).outcome() != Outcome.SUCCEEDED && charge.get(1).outcome() == Outcome.SUCCEEDED, charge.toString());
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/shipments/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/notices/.*")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/reservations/.*")));
    }

    @Test
    void aRunKilledWithUndosInFlightIsResumedFromTheLogAndEveryBranchIsUndone() throws Exception {
        // given a confirmation that takes a while to be refused, and a kill armed for the shipment's next intent: its undo
        String sku = "sku-" + UUID.randomUUID();
        shopRefusingTheConfirmation(sku, 1500);
        SagaEngine.Started started = start(sku, Duration.ZERO);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.inNewTransaction((l, c) -> l.attempts(started.sagaId())).stream()
                .anyMatch(a -> a.stepName().equals("confirm") && a.outcome() == Outcome.PENDING));
        crashPoints.abandonRunOnce(CrashPoints.Abandon.AFTER_INTENT, "ship");

        // when the run dies right after the undos' intents committed, and recovery takes the saga over
        SagaSnapshot ended = started.ended().get(40, TimeUnit.SECONDS);

        // then the undos left in flight are recorded as interrupted and made again, and everything is undone once more
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        List<AttemptRecord> ship = undos(ended.id(), Set.of("ship"));
        assertTrue(ship.stream().anyMatch(a -> a.outcome() == Outcome.UNKNOWN), ship.toString());
        assertEquals(Outcome.SUCCEEDED, ship.get(ship.size() - 1).outcome(), ship.toString());
        for (String step : List.of("charge", "ship", "notify", "reserve")) {
            assertEquals(Effect.COMPENSATED, ended.stepState(step).effect(), step);
        }
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/reservations/.*")));
    }
}
