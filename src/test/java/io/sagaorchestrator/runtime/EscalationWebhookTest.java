package io.sagaorchestrator.runtime;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An escalation alert is signed, and delivered even when the receiver is down for a while. */
@QuarkusTest
class EscalationWebhookTest {

    /** %test.saga.escalation.webhook-secret: what the receiver knows. */
    private static final String SECRET = "alert-signing-secret-for-the-tests-only";

    @Inject
    MeterRegistry metrics;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    /** A saga that recovery claims and escalates at once: its definition is not one this release can run. */
    private static UUID givenASagaAboutToEscalate() {
        UUID sagaId = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                + " step_index, attempt, step_states, owner, wake_at, version) values (?, 'user-sync', 99, 'no-such-hash', 'RUNNING',"
                + " 'webhook', '{}', 0, 0, '{}', 'instance-that-died', now() - interval '1 second', 1)", sagaId);
        return sagaId;
    }

    private static List<LoggedRequest> alertsFor(UUID sagaId) {
        return tt().find(postRequestedFor(urlEqualTo("/alerts")).withRequestBody(containing(sagaId.toString())));
    }

    private static String hmacSha256Hex(String key, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheAlertOnceItAcceptsWithAValidSignature() throws Exception {
        // given a receiver that answers 503 twice, then 200
        tt().register(WireMock.post(urlEqualTo("/alerts")).inScenario("receiver down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("failed once"));
        tt().register(WireMock.post(urlEqualTo("/alerts")).inScenario("receiver down").whenScenarioStateIs("failed once")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("back"));
        tt().register(WireMock.post(urlEqualTo("/alerts")).inScenario("receiver down").whenScenarioStateIs("back")
                .willReturn(aResponse().withStatus(200)));

        // when a saga escalates
        UUID sagaId = givenASagaAboutToEscalate();
        awaitStatus(sagaId.toString(), "ESCALATED");

        // then the alert is sent until accepted: three times, and no more once accepted
        await().atMost(Duration.ofSeconds(20)).until(() -> alertsFor(sagaId).size() >= 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> count("select count(*) from escalation_alert where saga_id = ?", sagaId) == 0);
        Thread.sleep(1500); // longer than the test's longest retry delay: a wrongly kept alert would be sent again
        List<LoggedRequest> sent = alertsFor(sagaId);
        assertEquals(3, sent.size(), "attempts");
        // and every attempt is the same alert (one id and body for the receiver to de-duplicate), signed
        String alertId = sent.get(0).getHeader("X-Saga-Alert-Id");
        for (LoggedRequest request : sent) {
            assertEquals(alertId, request.getHeader("X-Saga-Alert-Id"));
            assertEquals(sent.get(0).getBodyAsString(), request.getBodyAsString());
            String timestamp = request.getHeader("X-Saga-Timestamp");
            assertTrue(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) < 60, timestamp);
            assertEquals("sha256=" + hmacSha256Hex(SECRET, timestamp + "." + request.getBodyAsString()),
                    request.getHeader("X-Saga-Signature"));
        }
        String accepted = sent.get(2).getBodyAsString();
        assertTrue(accepted.contains("\"alertId\":\"" + alertId + "\"") && accepted.contains("cannot be run by this release"), accepted);
        // and a signature made with another secret would not verify
        String timestamp = sent.get(2).getHeader("X-Saga-Timestamp");
        assertNotEquals("sha256=" + hmacSha256Hex("another-secret", timestamp + "." + accepted), sent.get(2).getHeader("X-Saga-Signature"));
    }

    @Test
    void anAlertNobodyAcceptsIsGivenUpOnlyAfterTheGiveUpTimeWithAMetric() {
        // given a receiver that is down for good (the tests give up after 10 seconds)
        tt().register(WireMock.post(urlEqualTo("/alerts")).willReturn(aResponse().withStatus(503)));
        double undeliveredBefore = metrics.counter("saga.escalation.alerts.undelivered").count();

        // when a saga escalates
        UUID sagaId = givenASagaAboutToEscalate();
        awaitStatus(sagaId.toString(), "ESCALATED");

        // then it is retried for the whole give-up time, then dropped and counted
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from escalation_alert where saga_id = ?", sagaId) == 0);
        assertTrue(alertsFor(sagaId).size() >= 5, "attempts: " + alertsFor(sagaId).size());
        assertTrue(metrics.counter("saga.escalation.alerts.undelivered").count() > undeliveredBefore);
    }
}
