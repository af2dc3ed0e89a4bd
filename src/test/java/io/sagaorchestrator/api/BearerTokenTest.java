package io.sagaorchestrator.api;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.restassured.RestAssured.given;

/** Bearer JWT works beside HTTP Basic: the token's groups are the roles. */
@QuarkusTest
class BearerTokenTest {

    private static String token(String... groups) {
        return Jwt.issuer("https://saga-orchestrator.test").upn("jwt-user").groups(Set.of(groups)).sign();
    }

    @Test
    void aViewerTokenReadsButCannotRepair() {
        String viewer = token("saga-viewer");
        given().auth().oauth2(viewer).get("/api/sagas?limit=1").then().statusCode(200);
        given().auth().oauth2(viewer).contentType("application/json").body("{\"reason\":\"x\"}")
                .post("/api/sagas/00000000-0000-0000-0000-000000000000/resolve").then().statusCode(403);
    }

    @Test
    void anOperatorTokenRepairs() {
        given().auth().oauth2(token("saga-operator")).contentType("application/json").body("{\"reason\":\"x\"}")
                .post("/api/sagas/00000000-0000-0000-0000-000000000000/resolve").then().statusCode(404);
    }

    @Test
    void aTokenFromAnotherIssuerIsRejected() {
        String foreign = Jwt.issuer("https://somebody-else.example").upn("x").groups(Set.of("saga-operator")).sign();
        given().auth().oauth2(foreign).get("/api/sagas").then().statusCode(401);
    }
}
