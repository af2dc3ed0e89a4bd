package io.sagaorchestrator.usersync;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad input gets a problem+json a person understands, and writes nothing. */
@QuarkusTest
class StartRequestValidationTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"phone\":\"13800000000\",\"roleIds\":[3]}",
            "{\"name\":\"  \",\"phone\":\"13800000000\"}",
            "{\"name\":\"张三\",\"phone\":\"12345\"}",
            "{\"name\":\"张三\",\"phone\":\"1380000000x\"}",
            "{\"name\":\"张三\"}",
            "{\"name\":\"张三\",\"phone\":\"13800000000\",\"roleIds\":[]}",
            "{\"name\":\"张三\",\"phone\":\"13800000000\",\"roleIds\":[-1]}",
            "{\"name\":\"张\\u0000三\",\"phone\":\"13800000000\"}"})
    void invalidBodiesAreRejectedWith400AndNothingIsWritten(String body) {
        // given the number of sagas in the log
        long before = count("select count(*) from saga");

        // when a client sends an invalid body, then it gets a 400 problem naming the field
        as("client").contentType("application/json").body(body).post("/api/sagas/user-sync")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-input"))
                .body("title", equalTo("The request is not valid"))
                .body("violations[0].field", org.hamcrest.Matchers.anyOf(equalTo("name"), equalTo("phone"),
                        org.hamcrest.Matchers.startsWith("roleIds")));
        // and no saga was recorded
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void malformedJsonIsRejectedWith400() {
        long before = count("select count(*) from saga");
        as("client").contentType("application/json").body("{\"name\": \"张三\", ").post("/api/sagas/user-sync")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/malformed-json"));
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void aMissingBodyIsRejectedWith400() {
        as("client").contentType("application/json").post("/api/sagas/user-sync")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("required"));
    }

    @Test
    void anOutOfRangeWaitIsRejectedWith400() {
        as("client").contentType("application/json").body("{\"name\":\"张三\",\"phone\":\"13800000000\"}")
                .post("/api/sagas/user-sync?wait=3600")
                .then().statusCode(400).contentType("application/problem+json")
                .body("violations[0].field", equalTo("wait"));
    }

    @Test
    void anUnknownSagaIs404Problem() {
        as("viewer").get("/api/sagas/00000000-0000-0000-0000-000000000000")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("/problems/saga-not-found"));
    }
}
