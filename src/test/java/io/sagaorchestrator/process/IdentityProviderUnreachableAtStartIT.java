package io.sagaorchestrator.process;

import io.sagaorchestrator.examples.localdefaults.LocalPostgres;
import io.sagaorchestrator.testsupport.OidcDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service signing in only at an identity provider (no configured user), whose issuer does not answer when
 * the service starts: the start goes on, but readiness says so, naming the issuer; once the provider answers, the
 * service becomes ready and takes its tokens without a restart.
 */
class IdentityProviderUnreachableAtStartIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static ServiceProcess service;

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void anUnreachableIssuerKeepsTheServiceNotReadyUntilItAnswers() throws Exception {
        // given a production start whose only sign-in is an identity provider at a port nothing listens on yet
        int providerPort = ServiceProcess.freePort();
        String issuer = "http://127.0.0.1:" + providerPort + OidcDouble.REALM;
        LocalPostgres db = LocalPostgres.start(Path.of("target/it/pg-idp-unreachable/pgdata").toAbsolutePath(), 0,
                LocalPostgres.Data.THROWAWAY);
        service = ServiceProcess.start("idp-unreachable", ServiceProcess.freePort(), Map.of(
                "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                "quarkus.datasource.username", LocalPostgres.USER,
                "quarkus.datasource.password", db.password(),
                "quarkus.rest-client.tt-user-api.url", "http://127.0.0.1:9/tt",
                "tt.app-secret", "x",
                "quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.console.tenant-enabled", "true",
                "quarkus.oidc.connection-timeout", "2s"));

        // when it has started (alive), then it is not ready, and readiness names the issuer it cannot reach
        awaitStatus("/q/health/live", 200, Duration.ofSeconds(120));
        HttpResponse<String> ready = get("/q/health/ready", null);
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("identity-provider") && ready.body().contains(issuer)
                && ready.body().contains("not reachable"), ready.body());

        // when the provider answers
        OidcDouble.serve(providerPort);

        // then the service becomes ready, and takes the provider's tokens
        service.awaitReady(Duration.ofSeconds(30));
        HttpResponse<String> read = get("/api/sagas?limit=1", "Bearer " + viewerToken(issuer));
        assertEquals(200, read.statusCode(), read.body());
    }

    private static String viewerToken(String issuer) {
        Map<String, Object> claims = OidcDouble.accessTokenClaims("dashboard");
        claims.put("groups", List.of("saga-viewer"));
        assertEquals(issuer, claims.get("iss"));
        return OidcDouble.token(claims);
    }

    private static void awaitStatus(String path, int status, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get(path, null).statusCode() == status) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(path + " never answered " + status + ":\n" + service.output());
    }

    private static HttpResponse<String> get(String path, String authorization) throws java.io.IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
