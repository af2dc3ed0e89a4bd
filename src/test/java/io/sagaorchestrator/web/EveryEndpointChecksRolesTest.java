package io.sagaorchestrator.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.sagaorchestrator.testsupport.OidcDouble;
import io.sagaorchestrator.testsupport.UserSyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Walks every endpoint with every role, signed in both ways the API takes: HTTP Basic with a configured user, and a
 * bearer token of the identity provider ({@link OidcDouble}) carrying the same roles. No credentials is 401, a role the
 * endpoint does not admit is 403, and an admitted role gets past security (whatever the endpoint then answers). Only the
 * probes ({@code /q/health/*}) answer without credentials.
 */
@QuarkusTest
class EveryEndpointChecksRolesTest {

    private static final String NO_SAGA = "00000000-0000-0000-0000-000000000000";
    private static final String REASON = "{\"reason\":\"role check\"}";

    record Endpoint(String method, String path, String body, Set<String> roles) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", "/api/sagas/user-sync?wait=0", "{\"name\":\"\",\"phone\":\"1\"}", Set.of("client")),
            // the generic start: the roles come from the definition (greeting-sms: the default, saga-client)
            new Endpoint("POST", "/api/sagas/greeting-sms?wait=0", "{\"phone\":\"1\"}", Set.of("client")),
            new Endpoint("GET", "/api/sagas", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/api/sagas/stats", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/api/sagas/" + NO_SAGA, null, Set.of("viewer", "operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/compensate", REASON, Set.of("operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/retry", REASON, Set.of("operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/resolve", REASON, Set.of("operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/pause", REASON, Set.of("operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/resume", REASON, Set.of("operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/skip", "{\"reason\":\"r\",\"step\":\"s\",\"output\":{}}",
                    Set.of("operator")),
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/replan", REASON, Set.of("operator")),
            // the roles come from the await (the test definitions name none: the operator's); who holds no role any await
            // names is refused before the saga is looked at
            new Endpoint("POST", "/api/sagas/" + NO_SAGA + "/signals/approval", "{\"approved\":true}", Set.of("operator")),
            new Endpoint("POST", "/api/sagas/user-sync-outbox?wait=0", "{\"name\":\"\",\"phone\":\"1\"}", Set.of("client")),
            new Endpoint("GET", "/api/sagas/" + NO_SAGA + "/compensation-plan", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/api/definitions", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/api/definitions/user-sync/failure-points", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/api/definitions/user-sync/diagram", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/api/audit", null, Set.of("viewer", "operator")),
            new Endpoint("POST", "/api/bulk-operations", "{\"operation\":\"resolve\",\"reason\":\"r\",\"filter\":{}}",
                    Set.of("operator")),
            new Endpoint("GET", "/api/bulk-operations/" + NO_SAGA, null, Set.of("viewer", "operator")),
            // a preview changes nothing: whoever may read the sagas may read it
            new Endpoint("POST", "/api/bulk-operations/compensation-plan", "{\"filter\":{}}", Set.of("viewer", "operator")),
            // what the service tells about its insides is for readers too (quarkus.http.auth.policy.monitoring)
            new Endpoint("GET", "/q/metrics", null, Set.of("viewer", "operator")),
            new Endpoint("GET", "/q/openapi", null, Set.of("viewer", "operator")));

    /** The roles of the test users (application.properties, %test), as a token of the identity provider carries them. */
    private static final Map<String, List<String>> TOKEN_ROLES = Map.of(
            "client", List.of("saga-client"),
            "viewer", List.of("saga-viewer"),
            "operator", List.of("saga-operator", "saga-viewer"));

    enum SignIn {
        BASIC, TOKEN;

        RequestSpecification as(String user) {
            if (this == BASIC) {
                return UserSyncFixture.as(user);
            }
            Map<String, Object> claims = OidcDouble.accessTokenClaims(user);
            claims.put("groups", TOKEN_ROLES.get(user));
            return given().auth().oauth2(OidcDouble.token(claims));
        }
    }

    static Stream<Arguments> endpointsAndRoles() {
        return ENDPOINTS.stream().flatMap(e -> Stream.of("client", "viewer", "operator")
                .flatMap(role -> Stream.of(SignIn.values()).map(signIn -> Arguments.of(e, role, signIn))));
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    @ParameterizedTest(name = "{0} without credentials")
    @MethodSource("endpoints")
    void withoutCredentialsIs401(Endpoint e) {
        call(given(), e).then().statusCode(401);
    }

    @ParameterizedTest(name = "{0} as {1} ({2})")
    @MethodSource("endpointsAndRoles")
    void onlyTheAdmittedRolesGetThrough(Endpoint e, String role, SignIn signIn) {
        if (e.roles().contains(role)) {
            call(signIn.as(role), e).then().statusCode(not(oneOf(401, 403)));
        } else {
            call(signIn.as(role), e).then().statusCode(403);
        }
    }

    /**
     * The list above is the application's: every endpoint under {@code /api} that the OpenAPI document names is walked, so
     * a new one cannot escape the role checks by being left out of the list.
     */
    @Test
    void everyEndpointTheApplicationServesIsWalked() {
        Map<String, Map<String, Object>> paths = as("viewer").accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().path("paths");
        List<String> missed = new ArrayList<>();
        paths.forEach((template, operations) -> {
            if (!template.startsWith("/api/")) {
                return;
            }
            Pattern concrete = Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+"));
            for (String method : operations.keySet()) {
                boolean walked = ENDPOINTS.stream().anyMatch(e -> e.method().equalsIgnoreCase(method)
                        && concrete.matcher(e.path().replaceFirst("\\?.*$", "")).matches());
                if (!walked) {
                    missed.add(method.toUpperCase(Locale.ROOT) + " " + template);
                }
            }
        });
        assertEquals(List.of(), missed, "endpoints the role checks do not walk");
    }

    private static io.restassured.response.Response call(RequestSpecification request, Endpoint e) {
        if (e.body() != null) {
            request = request.contentType("application/json").body(e.body());
        }
        return e.method().equals("POST") ? request.post(e.path()) : request.get(e.path());
    }
}
