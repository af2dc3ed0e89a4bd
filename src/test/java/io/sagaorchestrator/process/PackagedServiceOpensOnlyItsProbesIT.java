package io.sagaorchestrator.process;

import io.sagaorchestrator.localdefaults.LocalPostgres;
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

/**
 * What the packaged service shows without credentials: its probes, and nothing of its insides. Swagger UI is a
 * build-time choice (dev mode has it), so only the real jar can prove that production has none.
 */
class PackagedServiceOpensOnlyItsProbesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ServiceProcess service;

    @BeforeAll
    static void startAConfiguredService() throws InterruptedException {
        // configured as in production: its own database, the third parties' URLs (never called here), one reader
        LocalPostgres db = LocalPostgres.start(Path.of("target/it/pg-packaged-probes/pgdata").toAbsolutePath(), 0,
                LocalPostgres.Data.THROWAWAY);
        service = ServiceProcess.start("packaged-probes", ServiceProcess.freePort(), Map.of(
                "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                "quarkus.datasource.username", LocalPostgres.USER,
                "quarkus.datasource.password", db.password(),
                "quarkus.rest-client.tt-user-api.url", "http://127.0.0.1:9/tt",
                "quarkus.rest-client.sms-api.url", "http://127.0.0.1:9/sms",
                "quarkus.rest-client.crm-api.url", "http://127.0.0.1:9/crm",
                "tt.app-secret", "x",
                "quarkus.security.users.embedded.users.reader", "reader",
                "quarkus.security.users.embedded.roles.reader", "saga-viewer"));
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

    private static int get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
