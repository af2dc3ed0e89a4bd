package io.sagaorchestrator.web.security;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.sagaorchestrator.testsupport.OidcDouble;
import org.jose4j.jwk.RsaJsonWebKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.OidcDouble.accessTokenClaims;
import static io.sagaorchestrator.testsupport.OidcDouble.token;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/**
 * Applications call the API with access tokens of the identity provider (here {@link OidcDouble}, found through its
 * issuer's discovery document): the signature is checked against the provider's keys, and the issuer, the audience and
 * the expiry against the configuration; the roles come from the token.
 */
@QuarkusTest
class BearerTokensFromTheIdentityProviderTest {

    private static final String NO_SAGA = "00000000-0000-0000-0000-000000000000";
    private static final String REASON = "{\"reason\":\"token check\"}";

    static RequestSpecification bearer(String token) {
        return given().auth().oauth2(token);
    }

    static String withGroups(String name, String... roles) {
        Map<String, Object> claims = accessTokenClaims(name);
        claims.put("groups", List.of(roles));
        return token(claims);
    }

    @Test
    void aClientTokenStartsSagasAndReadsNothing() {
        // given an application's token with the role saga-client
        String client = withGroups("billing-app", "saga-client");

        // when it starts a saga (with a body the start refuses: past security) and reads the log
        // then the start gets past the role check, and the read is forbidden
        bearer(client).contentType("application/json").body("{\"name\":\"\",\"phone\":\"1\"}")
                .post("/api/sagas/user-sync?wait=0").then().statusCode(400);
        bearer(client).get("/api/sagas?limit=1").then().statusCode(403);
    }

    @Test
    void aViewerTokenReadsButCannotRepair() {
        String viewer = withGroups("dashboard", "saga-viewer");
        bearer(viewer).get("/api/sagas?limit=1").then().statusCode(200);
        bearer(viewer).contentType("application/json").body(REASON).post("/api/sagas/" + NO_SAGA + "/resolve").then().statusCode(403);
    }

    @Test
    void anOperatorTokenRepairs() {
        // a saga that does not exist: past the role check, the operation says so
        bearer(withGroups("on-call", "saga-operator")).contentType("application/json").body(REASON)
                .post("/api/sagas/" + NO_SAGA + "/resolve").then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"groups", "realm_access", "resource_access"})
    void theRolesAreReadFromEachReadyMadeClaimShape(String shape) {
        // given a viewer token whose role is in a flat groups claim, in Keycloak's realm roles or in its client roles
        Map<String, Object> claims = accessTokenClaims("reader-" + shape);
        switch (shape) {
            case "groups" -> claims.put("groups", List.of("saga-viewer"));
            case "realm_access" -> claims.put("realm_access", Map.of("roles", List.of("saga-viewer")));
            default -> claims.put("resource_access", Map.of(OidcDouble.API_AUDIENCE, Map.of("roles", List.of("saga-viewer"))));
        }

        // when it reads the log, then it may
        bearer(token(claims)).get("/api/sagas?limit=1").then().statusCode(200);
    }

    @Test
    void aTokenWithoutARoleIsForbidden() {
        // given a valid token that carries none of the service's roles
        String noRole = withGroups("intruder", "some-other-app");

        // when it reads the log, then it is forbidden, as a problem naming the account
        bearer(noRole).get("/api/sagas?limit=1").then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("intruder"));
    }

    @Test
    void anExpiredTokenIsRefused() {
        // given an operator token that expired two minutes ago (beyond the 30 s allowed for clock skew)
        Map<String, Object> claims = accessTokenClaims("late");
        claims.put("groups", List.of("saga-viewer"));
        claims.put("iat", Instant.now().minusSeconds(600).getEpochSecond());
        claims.put("exp", Instant.now().minusSeconds(120).getEpochSecond());

        // when it is sent, then it is refused as credentials not accepted
        bearer(token(claims)).get("/api/sagas?limit=1").then().statusCode(401)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated"));
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() {
        // given a token signed with the provider's own key, but naming another issuer
        Map<String, Object> claims = accessTokenClaims("elsewhere");
        claims.put("groups", List.of("saga-operator", "saga-viewer"));
        claims.put("iss", "https://somebody-else.example/realms/saga");

        bearer(token(claims)).get("/api/sagas?limit=1").then().statusCode(401);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        // given a token of the right provider, issued for another application
        Map<String, Object> claims = accessTokenClaims("other-audience");
        claims.put("groups", List.of("saga-operator", "saga-viewer"));
        claims.put("aud", "payroll-api");

        bearer(token(claims)).get("/api/sagas?limit=1").then().statusCode(401);
    }

    @Test
    void aTokenSignedByARotatedKeyIsAcceptedOnceTheJwksHasIt() {
        // given the provider rotated its keys: a new one is published beside the old, and tokens are signed with it
        RsaJsonWebKey rotated = OidcDouble.newKey("rotated-key");
        OidcDouble.publishKeys(rotated);
        Map<String, Object> claims = accessTokenClaims("after-rotation");
        claims.put("groups", List.of("saga-viewer"));

        // when such a token comes (its key id unknown to the service, which read the keys at start)
        // then the service reads the keys again and accepts it
        bearer(OidcDouble.sign(claims, rotated)).get("/api/sagas?limit=1").then().statusCode(200);
        // and a token signed by a key the provider never published is still refused
        bearer(OidcDouble.sign(claims, OidcDouble.newKey("forged-key"))).get("/api/sagas?limit=1").then().statusCode(401);
    }

    @Test
    void readinessAsksTheIssuerOfTheApiAndOfTheConsole() {
        // the provider answers: both tenants that talk to it count as reachable
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'identity-provider' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'identity-provider' }.data", aMapWithSize(2));
    }

    @Test
    void theAuditEntryNamesTheTokensUserAndSubject() {
        // given a saga that keeps retrying (TT answers 503), and an operator token
        resetTt();
        String phone = uniquePhone();
        tt().register(addUser("tokenaudit" + phone).willReturn(ttError(503)));
        String sagaId = startUserSync("Tokenaudit", phone, 0).then().statusCode(202).extract().path("sagaId");
        Map<String, Object> claims = accessTokenClaims("oncall-" + phone);
        claims.put("groups", List.of("saga-operator", "saga-viewer"));
        String operator = token(claims);

        // when the token's holder pauses it
        bearer(operator).contentType("application/json").body("{\"reason\":\"TT is down\"}")
                .post("/api/sagas/" + sagaId + "/pause").then().statusCode(200);

        // then the audit entry names the token's user and keeps its subject
        bearer(operator).get("/api/audit?sagaId=" + sagaId).then().statusCode(200)
                .body("", hasSize(1))
                .body("[0].actor", equalTo("oncall-" + phone))
                .body("[0].actorSubject", equalTo(claims.get("sub")));
    }
}
