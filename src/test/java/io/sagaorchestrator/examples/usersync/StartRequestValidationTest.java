package io.sagaorchestrator.examples.usersync;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
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

    @ParameterizedTest
    @ValueSource(strings = {"/api/sagas/user-sync", "/api/sagas/user-sync-outbox"})
    void roleIdsOutsideTheAllowListAreRejectedWith400AndNothingIsWritten(String path) {
        // given the number of sagas in the log, and tt.allowed-role-ids at its default, the default role ids (3)
        long before = count("select count(*) from saga");

        // when a client asks for another TT role besides the allowed one
        as("client").contentType("application/json").body("{\"name\":\"张三\",\"phone\":\"13800000000\",\"roleIds\":[3,1]}")
                .post(path)
                // then it gets a 400 naming roleIds and the ids it may ask for
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-input"))
                .body("violations[0].field", equalTo("roleIds"))
                .body("violations[0].message", containsString("[3]"));
        // and no saga was recorded
        assertEquals(before, count("select count(*) from saga"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\u202eadmin\\u200b\\u0085", "a\\u2066b", "a\\u00adb", "a\\u0000b", "a\\nb", "a\\ud800b"})
    void namesWithControlOrFormatCharactersAreRejectedWith400(String name) {
        // given the number of sagas in the log
        long before = count("select count(*) from saga");

        // when a client sends a name with a bidi override, a zero-width or a control character (Unicode Cc, Cf)
        as("client").contentType("application/json").body("{\"name\":\"" + name + "\",\"phone\":\"13800000000\"}")
                .post("/api/sagas/user-sync")
                // then it gets a 400 naming the name
                .then().statusCode(400).contentType("application/problem+json")
                .body("violations[0].field", equalTo("name"))
                .body("violations[0].message", containsString("U+"));
        // and no saga was recorded
        assertEquals(before, count("select count(*) from saga"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\u202eb", "a\\u0000b", "a\\u0085b"})
    void smsContentWithBidiOverridesOrControlCharactersIsRejectedWith400(String content) {
        long before = count("select count(*) from saga");

        as("client").contentType("application/json").body("{\"phone\":\"13800000000\",\"content\":\"" + content + "\"}")
                .post("/api/sagas/send-sms?wait=0")
                .then().statusCode(400).contentType("application/problem+json")
                .body("violations[0].field", equalTo("content"));
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void smsContentMayHoldLineBreaksTabsAndEmojiJoiners() {
        // when a client sends an SMS of two lines, a tab and a family emoji (joined by U+200D, a format character)
        as("client").contentType("application/json")
                .body("{\"phone\":\"" + uniquePhone() + "\",\"content\":\"Hello\\r\\n\\tsee you \\ud83d\\udc68\\u200d\\ud83d\\udc67\"}")
                .post("/api/sagas/send-sms?wait=0")
                // then the saga is started
                .then().statusCode(202).body("sagaId", org.hamcrest.Matchers.notNullValue());
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
