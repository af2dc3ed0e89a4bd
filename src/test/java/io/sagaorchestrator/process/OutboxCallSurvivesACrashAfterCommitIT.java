package io.sagaorchestrator.process;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service commits an owed SMS, then dies (the JVM halts) before or after the gateway
 * took it. Restarted, it sends the SMS: once when the crash came before the call, and when it came
 * after, a second time with the same Idempotency-Key, so a gateway that honours the key sends one.
 * Either way the run after the restart continues the saga's trace, started by the client's traceparent, and sends it on.
 */
class OutboxCallSurvivesACrashAfterCommitIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The trace of the client that asked for the SMS first; its repeat after the restart comes from another trace. */
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private WireMockServer gateway;

    @BeforeEach
    void startGateway() {
        gateway = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        gateway.start();
        gateway.stubFor(WireMock.post("/messages").willReturn(WireMock.aResponse().withStatus(202)));
    }

    @AfterEach
    void stopGateway() {
        gateway.stop();
    }

    @ParameterizedTest(name = "crash at {0}")
    @CsvSource({"AFTER_INTENT, 1", "AFTER_REMOTE_SUCCESS, 2"})
    void theOwedSmsIsSentAfterTheRestart(String crashPoint, int expectedCalls) throws Exception {
        Path data = Path.of("target/it/pg-outbox-" + crashPoint);
        ServiceProcess.deleteRecursively(data);
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.profile", "demo",
                "saga.embedded-database.data-dir", data.toString(),
                "saga.http.sms-api.url", gateway.baseUrl(),
                "quarkus.security.users.embedded.users.demo", "demo",
                "quarkus.security.users.embedded.roles.demo", "saga-client,saga-viewer",
                "saga.engine.lease", "2s",
                "saga.engine.lease-renewal", "500ms",
                "saga.recovery.interval", "1s"));
        int port = ServiceProcess.freePort();
        String key = UUID.randomUUID().toString();
        String body = "{\"phone\":\"13900000001\",\"content\":\"your code is 4711\"}";

        // given the service halts at the crash point while sending
        Map<String, String> crashing = new HashMap<>(config);
        crashing.put("saga.test.crash-point", crashPoint);
        try (ServiceProcess service = ServiceProcess.start("outbox-crash-" + crashPoint, port, crashing)) {
            service.awaitReady(Duration.ofSeconds(120));
            // when the client asks for the SMS, the process dies before answering
            assertThrows(IOException.class, () -> send(service, key, body, CLIENT_TRACE));
            assertEquals(137, service.awaitExit(Duration.ofSeconds(30)));
        }

        // when it is started again and the client repeats its request with the same key
        try (ServiceProcess service = ServiceProcess.start("outbox-restart-" + crashPoint, port, config)) {
            service.awaitReady(Duration.ofSeconds(120));
            HttpResponse<String> answer = send(service, key, body, "0af7651916cd43dd8448eb211c80319c");

            // then the same saga answers, completed, and the gateway got the SMS with one key every time
            assertEquals(200, answer.statusCode(), answer.body());
            String sagaId = ServiceProcess.sagaId(answer.body());
            List<LoggedRequest> calls = gateway.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/messages")));
            assertEquals(expectedCalls, calls.size());
            assertTrue(calls.stream().allMatch(c -> (sagaId + ":send-sms").equals(c.getHeader("Idempotency-Key"))),
                    "every attempt carries the key of its saga and step");
            // and the saga stayed in the trace its first request began: the resumed run sent it on, as the killed one did
            HttpResponse<String> detail = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/api/sagas/" + sagaId)))
                    .header("Authorization", ServiceProcess.basic("demo", "demo")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(detail.body().contains("\"traceId\":\"" + CLIENT_TRACE + "\""), detail.body());
            assertTrue(calls.stream().allMatch(c -> c.getHeader("traceparent") != null && c.getHeader("traceparent").contains("-" + CLIENT_TRACE + "-")),
                    "every call, before and after the restart, carries the saga's trace");
            service.stop();
            // and without a collector configured, nothing was exported (nor tried)
            assertFalse(service.output().contains("Failed to export"), service.output());
        }
    }

    private static HttpResponse<String> send(ServiceProcess service, String key, String body, String traceId)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/api/sagas/send-sms?wait=30")))
                .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
                .header("Authorization", ServiceProcess.basic("demo", "demo"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }


}
