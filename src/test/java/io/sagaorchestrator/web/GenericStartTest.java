package io.sagaorchestrator.web;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code POST /api/sagas/{definition}} starts any definition that declares its input, with the answers of the endpoints
 * of their own. The definitions it starts here are the tests' own (src/test/resources/saga-definitions): every shipped
 * one still has a Java endpoint, whose literal path wins over the template.
 */
@QuarkusTest
class GenericStartTest {

    private static MappingBuilder sms(String phone) {
        return post(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone)));
    }

    private static String body(String phone, String content) {
        return "{\"phone\":\"" + phone + "\",\"content\":\"" + content + "\"}";
    }

    @Test
    void aDeclaredInputStartsTheSagaAndAnswersLikeTheSmsEndpoint() {
        // given a gateway that accepts the message
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));

        // when a client starts greeting-sms, a definition with no Java endpoint
        String sagaId = as("client").contentType("application/json")
                .body("{\"phone\":\"" + phone + "\",\"content\":\"hello\",\"channel\":\"sms\",\"priority\":2}")
                .post("/api/sagas/greeting-sms?wait=10")
                // then it answers as /api/sagas/send-sms does: 200, the saga, its status, its result, where to read it
                .then().statusCode(200).contentType("application/json")
                .body("status", equalTo("COMPLETED"))
                .body("result.httpStatus", equalTo(200))
                .header("Location", containsString("/api/sagas/")).extract().path("sagaId");

        // and the message went out once, the saga keeps the body as its input, the phone as its key, the client as caller
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone)))
                .withHeader("Idempotency-Key", WireMock.equalTo(sagaId + ":send-sms")));
        assertEquals(1, count("select count(*) from saga where id = cast(? as uuid) and definition_name = 'greeting-sms'"
                + " and business_key = ? and caller = 'client' and input ->> 'content' = 'hello' and input ->> 'priority' = '2'", sagaId, phone));
        // and the send-sms endpoint answers a start the same way
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));
        as("client").contentType("application/json").body(body(phone, "hello")).post("/api/sagas/send-sms?wait=10")
                .then().statusCode(200).body("status", equalTo("COMPLETED")).body("result.httpStatus", equalTo(200))
                .body("sagaId", notNullValue());
    }

    @Test
    void aSagaStillRunningWhenTheWaitEndsIs202WithWhereToLook() {
        // given a slow gateway
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttAnswer("OK", null).withFixedDelay(1500)));

        // when a client does not wait, then it gets 202 and the saga's address
        String sagaId = as("client").contentType("application/json").body(body(phone, "hi")).post("/api/sagas/greeting-sms?wait=0")
                .then().statusCode(202).body("status", equalTo("RUNNING")).extract().path("sagaId");
        as("viewer").get("/api/sagas/" + sagaId).then().statusCode(200).body("definition", equalTo("greeting-sms"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing   | {"content":"hi"}                                                   | phone    | is required
            type      | {"phone":"13800000000","content":"hi","priority":"2"}              | priority | must be an integer
            pattern   | {"phone":"1380000000x","content":"hi"}                             | phone    | must match
            maxLength | {"phone":"13800000000","content":"123456789012345678901"}          | content  | must be at most 20 characters
            enum      | {"phone":"13800000000","content":"hi","channel":"fax"}             | channel  | must be one of sms, flash
            range     | {"phone":"13800000000","content":"hi","priority":9}                | priority | must be at most 5
            unknown   | {"phone":"13800000000","content":"hi","chanel":"sms"}              | chanel   | is not an input of this saga
            control   | {"phone":"13800000000","content":"a\\u0000b"}                      | content  | must not contain U+0000
            bidi      | {"phone":"13800000000","content":"a\\u202eb"}                      | content  | must not contain U+202E
            notObject | [1, 2]                                                             | body     | must be a JSON object
            """)
    void invalidInputIs400NamingTheFieldAndWritesNothing(String kind, String body, String field, String message) {
        // given the number of sagas in the log
        long before = count("select count(*) from saga");

        // when a client sends a body its definition's input refuses
        as("client").contentType("application/json").body(body).post("/api/sagas/greeting-sms?wait=0")
                // then it gets the 400 every invalid input gets, naming the field
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-input"))
                .body("title", equalTo("The request is not valid"))
                .body("violations", hasSize(1))
                .body("violations[0].field", equalTo(field))
                .body("violations[0].message", containsString(message))
                .body("detail", containsString(field));
        // and no saga was recorded
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void aMissingOrMalformedBodyIs400AndWritesNothing() {
        long before = count("select count(*) from saga");
        as("client").contentType("application/json").post("/api/sagas/greeting-sms")
                .then().statusCode(400).contentType("application/problem+json").body("violations[0].field", equalTo("body"))
                .body("violations[0].message", equalTo("is required"));
        as("client").contentType("application/json").body("{\"phone\": ").post("/api/sagas/greeting-sms")
                .then().statusCode(400).contentType("application/problem+json").body("type", equalTo("/problems/malformed-json"));
        // a key given twice would let one value pass the check and the other start the saga
        as("client").contentType("application/json").body("{\"phone\":\"13800000000\",\"content\":\"hi\",\"phone\":\"x\"}")
                .post("/api/sagas/greeting-sms").then().statusCode(400).body("type", equalTo("/problems/malformed-json"));
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void aCallerWithoutAStartRoleIs403BeforeItsBodyIsRead() {
        long before = count("select count(*) from saga");

        // when a client (saga-client) starts a definition only operators may start, even with a body that is not JSON
        as("client").contentType("application/json").body("{not json").post("/api/sagas/operator-sms")
                // then it is refused for its role, not for its body: the body was not read
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("/problems/start-not-allowed"))
                .body("detail", containsString("saga-operator"));
        // and a viewer may start no definition with the default roles
        as("viewer").contentType("application/json").body(body("13800000000", "hi")).post("/api/sagas/greeting-sms")
                .then().statusCode(403).contentType("application/problem+json");
        // and without credentials it is 401
        io.restassured.RestAssured.given().contentType("application/json").body(body("13800000000", "hi"))
                .post("/api/sagas/greeting-sms").then().statusCode(401);
        assertEquals(before, count("select count(*) from saga"));

        // when an operator starts it, then it starts
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));
        as("operator").contentType("application/json").body(body(phone, "hi")).post("/api/sagas/operator-sms?wait=10")
                .then().statusCode(200).body("status", equalTo("COMPLETED"));
        assertEquals(1, count("select count(*) from saga where definition_name = 'operator-sms' and caller = 'operator'"
                + " and input ->> 'phone' = ?", phone));
    }

    @Test
    void anUnknownDefinitionIs404Problem() {
        as("client").contentType("application/json").body("{}").post("/api/sagas/no-such-saga")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("/problems/definition-not-found"))
                .body("detail", containsString("no-such-saga"));
    }

    @Test
    void aDefinitionWithoutInputIsNotStartedHere() {
        long before = count("select count(*) from saga");

        // when a client posts to a definition that declares no input (started by code only)
        as("client").contentType("application/json").body(body("13800000000", "hi")).post("/api/sagas/code-only-sms")
                // then it is refused as a method this resource does not offer, saying how it is started
                .then().statusCode(405).contentType("application/problem+json")
                .body("type", equalTo("/problems/no-http-start"))
                .body("detail", containsString("declares no input"));
        assertEquals(before, count("select count(*) from saga"));
    }

    @Test
    void userSyncKeepsItsOwnEndpointAndTheLogIsStillReadByItsId() {
        // user-sync declares no input, yet its own endpoint (literal path) still answers, with its own checks
        as("client").contentType("application/json").body("{\"phone\":\"13800000000\"}").post("/api/sagas/user-sync")
                .then().statusCode(400).body("violations[0].field", equalTo("name"));
        // and reading a saga by id, and the stats, are not taken for a definition
        as("viewer").get("/api/sagas/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .body("type", equalTo("/problems/saga-not-found"));
        as("viewer").get("/api/sagas/stats").then().statusCode(200);
    }

    @Test
    void theSameKeyAnswersTheSameSagaAndAnotherBodyWithItIsRefused() {
        // given a saga started with an idempotency key
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));
        String key = "greeting-" + phone;
        String first = as("client").contentType("application/json").header("Idempotency-Key", key).body(body(phone, "hi"))
                .post("/api/sagas/greeting-sms?wait=10").then().statusCode(200).extract().path("sagaId");

        // when the client sends it again, then it answers for the same saga and starts none
        as("client").contentType("application/json").header("Idempotency-Key", key).body(body(phone, "hi"))
                .post("/api/sagas/greeting-sms?wait=10").then().statusCode(200).body("sagaId", equalTo(first));
        assertEquals(1, count("select count(*) from saga where business_key = ?", phone));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone))));

        // when it sends another body with the key, then it is refused naming the saga, and nothing is started
        as("client").contentType("application/json").header("Idempotency-Key", key).body(body(phone, "other"))
                .post("/api/sagas/greeting-sms?wait=10").then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("/problems/idempotency-key-reused")).body("sagaId", equalTo(first));
        assertEquals(1, count("select count(*) from saga where business_key = ?", phone));
    }

    @Test
    void theDefinitionsListShowsHowEachIsStarted() {
        as("viewer").get("/api/definitions").then().statusCode(200)
                .body("find { it.name == 'send-sms' }.start.path", equalTo("/api/sagas/send-sms"))
                .body("find { it.name == 'send-sms' }.start.roles", equalTo(java.util.List.of("saga-client")))
                .body("find { it.name == 'send-sms' }.start.businessKey", equalTo("phone"))
                .body("find { it.name == 'send-sms' }.start.input.phone.pattern", equalTo("1\\d{10}"))
                .body("find { it.name == 'send-sms' }.start.input.content.maxLength", equalTo(500))
                .body("find { it.name == 'send-sms' }.start.input.content.text", equalTo("message"))
                .body("find { it.name == 'greeting-sms' }.start.input.channel.enum", equalTo(java.util.List.of("sms", "flash")))
                .body("find { it.name == 'push-crm' }.start.input.user_id.minimum", equalTo(1))
                .body("find { it.name == 'user-sync' }.start", nullValue());
    }

    @Test
    void theOpenApiDocumentDescribesTheGenericStart() {
        as("viewer").accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/sagas/{definition}'.post.summary", containsString("any definition"));
    }
}
