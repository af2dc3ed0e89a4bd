package io.sagaorchestrator.web.security;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness says whether the identity providers the configuration names can be reached: an issuer that did not answer
 * at start (Quarkus starts anyway, and refuses its tokens meanwhile) keeps the instance out of traffic until it does.
 */
class IdentityProviderHealthCheckTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void anIssuerThatCannotBeReachedMakesTheInstanceNotReady() {
        // given the API's issuer answers, and the console's did not at start and still fails
        Map<String, Supplier<Uni<Boolean>>> issuers = new TreeMap<>();
        issuers.put("default (https://idp.example/realms/saga)", () -> Uni.createFrom().item(true));
        issuers.put("console (https://down.example/realms/saga)",
                () -> Uni.createFrom().failure(new IllegalStateException("connection refused")));

        // when readiness is asked
        HealthCheckResponse answer = IdentityProviderHealthCheck.report(issuers).await().atMost(WAIT);

        // then it is DOWN, naming the issuer it cannot reach
        assertEquals(HealthCheckResponse.Status.DOWN, answer.getStatus());
        Map<String, Object> data = answer.getData().orElseThrow();
        assertEquals("reachable", data.get("default (https://idp.example/realms/saga)"));
        assertTrue(String.valueOf(data.get("console (https://down.example/realms/saga)")).startsWith("not reachable"), data.toString());
    }

    @Test
    void anIssuerThatDoesNotAnswerInTimeCountsAsUnreachable() {
        // given an issuer whose connection hangs
        Map<String, Supplier<Uni<Boolean>>> issuers = Map.of("default (https://slow.example)",
                () -> Uni.createFrom().<Boolean>nothing());

        // when readiness is asked, then it answers DOWN within its patience instead of hanging the probe
        HealthCheckResponse answer = IdentityProviderHealthCheck.report(issuers).await().atMost(WAIT);
        assertEquals(HealthCheckResponse.Status.DOWN, answer.getStatus());
    }

    @Test
    void withEveryIssuerReachableOrNoneConfiguredTheInstanceIsReady() {
        assertEquals(HealthCheckResponse.Status.UP, IdentityProviderHealthCheck.report(
                Map.of("default (https://idp.example)", () -> Uni.createFrom().item(true))).await().atMost(WAIT).getStatus());
        assertEquals(HealthCheckResponse.Status.UP, IdentityProviderHealthCheck.report(Map.of()).await().atMost(WAIT).getStatus());
    }
}
