package io.sagaorchestrator.process;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a newcomer gets from the packaged service with the demo switch and nothing else configured: an embedded
 * PostgreSQL that keeps its data across restarts (behind a generated password) and the built-in TT simulator,
 * so that one curl line shows a completed saga and one more a compensated one.
 */
class EmbeddedDefaultsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path DATA = Path.of("target/it/pg-embedded-defaults");
    private static final Map<String, String> DEMO = Map.of(
            "quarkus.profile", "demo",
            "saga.embedded-database.data-dir", DATA.toString(),
            "quarkus.security.users.embedded.users.demo", "demo",
            "quarkus.security.users.embedded.roles.demo", "saga-client,saga-viewer");

    @Test
    void aCompletedAndACompensatedSagaAndBothSurviveARestart() throws Exception {
        ServiceProcess.deleteRecursively(DATA);
        int port = ServiceProcess.freePort();
        String completed;
        try (ServiceProcess service = ServiceProcess.start("embedded-defaults-1", port, DEMO)) {
            Duration startup = service.awaitReady(Duration.ofSeconds(120));
            System.out.printf("embedded defaults: first start (initdb included) ready after %d ms%n", startup.toMillis());

            // when a newcomer creates 张三, then TT (simulated) and the local database both have the user
            HttpResponse<String> first = start(service, "{\"name\":\"张三\",\"phone\":\"13800000000\",\"roleIds\":[3]}");
            assertEquals(200, first.statusCode(), first.body());
            assertTrue(first.body().contains("\"status\":\"COMPLETED\""), first.body());
            completed = ServiceProcess.sagaId(first.body());

            // when another name comes with the same phone, the local save fails and the TT user is undone
            HttpResponse<String> second = start(service, "{\"name\":\"李四\",\"phone\":\"13800000000\",\"roleIds\":[3]}");
            assertEquals(409, second.statusCode(), second.body());
            assertTrue(second.body().contains("\"status\":\"COMPENSATED\""), second.body());
            service.stop();
        }

        // when the service starts again on the same data, then the saga log is still there
        try (ServiceProcess service = ServiceProcess.start("embedded-defaults-2", port, DEMO)) {
            Duration startup = service.awaitReady(Duration.ofSeconds(120));
            System.out.printf("embedded defaults: restart ready after %d ms%n", startup.toMillis());
            HttpResponse<String> saga = get(service, "/api/sagas/" + completed);
            assertEquals(200, saga.statusCode(), saga.body());
            assertTrue(saga.body().contains("\"status\":\"COMPLETED\""), saga.body());

            // and its embedded database lets nobody in without the password it generated
            Matcher url = Pattern.compile("embedded PostgreSQL at (\\S+) ").matcher(service.output());
            assertTrue(url.find(), service.output());
            SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(url.group(1), "postgres", ""));
            assertTrue(refused.getMessage().contains("password"), refused.getMessage());
            service.stop();
        }
    }

    private static HttpResponse<String> start(ServiceProcess service, String body) throws IOException, InterruptedException {
        return HTTP.send(authorized(service, "/api/sagas/user-sync").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(ServiceProcess service, String path) throws IOException, InterruptedException {
        return HTTP.send(authorized(service, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder authorized(ServiceProcess service, String path) {
        return HttpRequest.newBuilder(URI.create(service.url(path))).header("Authorization", ServiceProcess.basic("demo", "demo"));
    }


}
