package io.sagaorchestrator.process;

import io.sagaorchestrator.examples.localdefaults.LocalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service configured as in production. Without credentials it shows its probes and nothing of its
 * insides (Swagger UI is a build-time choice, dev mode has it, so only the real jar can prove that production has
 * none); and a saga whose third party it was given no URL for is refused rather than accepted to fail.
 */
class PackagedServiceInProductionIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ServiceProcess service;

    @BeforeAll
    static void startAConfiguredService() throws InterruptedException {
        // configured as in production: its own database, TT's URL (never called here), a reader and a client; no URL
        // for the SMS gateway or the CRM, whose outbox sagas this deployment does not run
        LocalPostgres db = LocalPostgres.start(Path.of("target/it/pg-packaged-probes/pgdata").toAbsolutePath(), 0,
                LocalPostgres.Data.THROWAWAY);
        service = ServiceProcess.start("packaged-probes", ServiceProcess.freePort(), Map.of(
                "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                "quarkus.datasource.username", LocalPostgres.USER,
                "quarkus.datasource.password", db.password(),
                "quarkus.rest-client.tt-user-api.url", "http://127.0.0.1:9/tt",
                "tt.app-secret", "x",
                "quarkus.security.users.embedded.users.reader", "reader",
                "quarkus.security.users.embedded.roles.reader", "saga-viewer",
                "quarkus.security.users.embedded.users.client", "client",
                "quarkus.security.users.embedded.roles.client", "saga-client,saga-viewer"));
        service.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void thePackagedServiceHasNoSwaggerUi() throws Exception {
        // when anyone, even a reader, asks for Swagger UI, then there is none
        assertEquals(404, get("/q/swagger-ui/", null));
        assertEquals(404, get("/q/swagger-ui/", ServiceProcess.basic("reader", "reader")));
    }

    @Test
    void probesAreOpenAndMetricsAndOpenApiNeedAReader() throws Exception {
        assertEquals(200, get("/q/health/live", null));
        assertEquals(200, get("/q/health/ready", null));
        for (String path : new String[] {"/q/metrics", "/q/openapi"}) {
            assertEquals(401, get(path, null), path);
            assertEquals(200, get(path, ServiceProcess.basic("reader", "reader")), path);
        }
    }

    @Test
    void aSagaWhoseThirdPartyHasNoUrlIsRefusedWithWhatToSetAndNothingStarts() throws Exception {
        // when a client asks for an SMS, whose gateway has no URL here
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/api/sagas/send-sms")))
                .header("Authorization", ServiceProcess.basic("client", "client")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"phone\":\"13900000001\",\"content\":\"hello\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        // then it is refused, saying what to set, and no saga exists
        assertEquals(503, answer.statusCode(), answer.body());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""));
        assertTrue(answer.body().contains("SAGA_HTTP_SMS_API_URL"), answer.body());
        HttpResponse<String> sagas = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/api/sagas?definition=send-sms")))
                .header("Authorization", ServiceProcess.basic("client", "client")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sagas.statusCode(), sagas.body());
        assertTrue(sagas.body().contains("\"items\":[]"), sagas.body());
    }

    @Test
    void anExampleSagaLeftOutInProductionIs404NamingTheSettingThatLoadsIt() throws Exception {
        // when a client starts order-checkout, an example a production start leaves out
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(service.url("/api/sagas/order-checkout")))
                .header("Authorization", ServiceProcess.basic("client", "client")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        // then the 404 says it is an example and names the setting that would load it
        assertEquals(404, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("/problems/definition-not-found")
                && answer.body().contains("saga.definitions.include-examples=true"), answer.body());
    }

    private static int get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
