package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.store.SagaLog;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A waiting saga across kills and down time (issue 23's proof for awaits, in process). A waiting saga holds no thread
 * and no lease, so a kill while it waits takes nothing from it: everything it needs is its row and its kept signals.
 * The service being down is played as nobody being able to take the saga: its row is left held by an instance that is
 * gone, with a lease that runs out a few seconds later, as if one had taken it and died; then recovery takes it over
 * from the log alone.
 */
@QuarkusTest
class WaitingThroughKillsAndDownTimeTest {

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    SagaRunner runner;

    @Inject
    SagaLog log;

    @Inject
    AgroalDataSource db;

    @Inject
    ObjectMapper json;

    private SagaEngine.Started waiting(String definition) {
        String sku = "sku-" + UUID.randomUUID();
        String body = "{\"id\":\"x-1\"}";
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(body)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(body)));
        tt().register(delete(urlMatching("/shop/reservations/.*")).willReturn(aResponse().withStatus(204)));
        SagaEngine.Started started = engine.start(definitions.current(definition).orElseThrow(),
                json.valueToTree(Map.of("sku", sku)), sku, "down-time-test", null, Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "approval".equals(saga(started.sagaId().toString()).path("waitingFor")));
        return started;
    }

    /** The service goes down for {@code downFor}: nobody may take the saga until then. */
    private void downFor(UUID sagaId, Duration downFor) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("update saga set owner = 'gone',"
                + " wake_at = now() + ? * interval '1 millisecond' where id = ? and owner is null")) {
            ps.setLong(1, downFor.toMillis());
            ps.setObject(2, sagaId);
            assertEquals(1, ps.executeUpdate(), "the saga waits released");
        }
    }

    private void signalBySql(UUID sagaId, String payload, String signalId) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select saga_signal(?, 'approval', cast(? as jsonb), ?)")) {
            ps.setObject(1, sagaId);
            ps.setString(2, payload);
            ps.setString(3, signalId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals("accepted", rs.getString(1));
            }
        }
    }

    @Test
    void killedWhileWaitingThenSignalledItIsResumedFromTheLog() throws Exception {
        // given a saga that waits for its approval
        SagaEngine.Started s = waiting("approval-shop-test");

        // then there is nothing a kill could take from it: no owner, no lease, no run on any thread
        await().atMost(Duration.ofSeconds(5)).until(() -> !runner.advancing(s.sagaId())); // its run ends after its last commit
        SagaLog.Locked row = log.inNewTransaction((l, c) -> l.peek(s.sagaId())).orElseThrow();
        assertNull(row.owner());
        assertFalse(row.leaseLive());
        Thread.sleep(500);
        assertFalse(runner.advancing(s.sagaId()), "no run of the saga starts while it waits");

        // when it is signalled (after the instance that released it is gone), then recovery takes it from the log
        signalBySql(s.sagaId(), "{\"approved\": true}", "after-kill-" + s.sagaId());
        SagaSnapshot ended = s.ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPLETED, ended.status());
    }

    @Test
    void aSignalSentWhileTheServiceIsDownIsTakenWhenItIsBack() throws Exception {
        SagaEngine.Started s = waiting("approval-shop-test");
        downFor(s.sagaId(), Duration.ofSeconds(3));

        // when the application signals while nobody runs the saga
        signalBySql(s.sagaId(), "{\"approved\": true}", "while-down-" + s.sagaId());

        // then the signal is kept and nothing moves until the service is back; then the saga takes it and completes
        Thread.sleep(1000);
        assertFalse(s.ended().isDone());
        assertEquals(1, log.inNewTransaction((l, c) -> l.signals(s.sagaId())).size());
        assertEquals(SagaStatus.COMPLETED, s.ended().get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void aTimeoutThatPassesWhileTheServiceIsDownActsWhenItIsBack() throws Exception {
        // given a saga that waits two seconds at most, and the service down for four
        SagaEngine.Started s = waiting("approval-quick-test");
        downFor(s.sagaId(), Duration.ofSeconds(4));

        // then, back, it finds its wait ran out while it was down, and undoes the reservation
        SagaSnapshot ended = s.ended().get(30, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertTrue(ended.lastError().contains("no signal 'approval' came within 2s"), ended.lastError());
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/reservations/" + s.sagaId() + "%3Areserve")));
        saga(s.sagaId().toString()).then().body("lastError", containsString("the wait ran out"));
    }
}
