package io.sagaorchestrator.usersync;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;

/** saga-client starts, saga-viewer reads; nobody gets in without credentials. */
@QuarkusTest
class ApiRolesTest {

    private static final String BODY = "{\"name\":\"张三\",\"phone\":\"13800000000\"}";

    @Test
    void withoutCredentialsEverythingIs401() {
        given().contentType("application/json").body(BODY).post("/api/sagas/user-sync").then().statusCode(401);
        given().get("/api/sagas").then().statusCode(401);
        given().get("/api/sagas/00000000-0000-0000-0000-000000000000").then().statusCode(401);
    }

    @Test
    void aViewerCannotStartAndAClientCannotRead() {
        as("viewer").contentType("application/json").body(BODY).post("/api/sagas/user-sync").then().statusCode(403);
        as("client").get("/api/sagas").then().statusCode(403);
        as("client").get("/api/sagas/00000000-0000-0000-0000-000000000000").then().statusCode(403);
    }

    @Test
    void aViewerReadsTheLog() {
        as("viewer").get("/api/sagas?status=COMPLETED&limit=5").then().statusCode(200);
    }
}
