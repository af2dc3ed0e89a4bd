package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compensation's {@code verify:} (test definition {@code verified-contact-test}) against a CRM double whose DELETE can
 * answer 204 and keep the contact: the check catches it as drift, and once the CRM is healed an operator's retry undoes
 * and checks again.
 */
@QuarkusTest
class VerifiedCompensationTest {

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    ObjectMapper json;

    private String contact;

    @BeforeEach
    void aContactTheCrmCreatesAndWhoseWelcomeItRefuses() {
        contact = "c-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/crm/contacts")).withRequestBody(
                        com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.name", com.github.tomakehurst.wiremock.client.WireMock.equalTo(contact)))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"" + contact + "\"}")));
        tt().register(post(urlEqualTo("/crm/contacts/" + contact + "/welcome")).willReturn(aResponse().withStatus(400)
                .withBody("{\"message\":\"no welcome for you\"}")));
    }

    /** A DELETE that answers 204 but keeps the contact: the lookup still finds it. */
    private void aCrmThatKeepsTheContactItSaysItDeleted() {
        tt().register(delete(urlEqualTo("/crm/contacts/" + contact)).willReturn(aResponse().withStatus(204)));
        tt().register(get(urlEqualTo("/crm/contacts/" + contact)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"" + contact + "\",\"state\":\"active\"}")));
    }

    /** Healed: the DELETE now deletes, so the lookup answers 404. */
    private void theCrmHealed() {
        tt().register(get(urlEqualTo("/crm/contacts/" + contact)).willReturn(aResponse().withStatus(404)));
    }

    private SagaSnapshot run() throws Exception {
        JsonNode input = json.valueToTree(Map.of("name", contact));
        return engine.start(definitions.current("verified-contact-test").orElseThrow(), input, contact, "verified-compensation-test",
                null, Duration.ofSeconds(5)).ended().get(30, TimeUnit.SECONDS);
    }

    private static JsonPath createContact(JsonPath detail) {
        return new JsonPath(detail.prettify()).setRootPath("steps.find { it.name == 'create-contact' }");
    }

    @Test
    void aDeleteThatAnswersSuccessButKeepsTheResourceEscalatesTheSagaAsDrift() throws Exception {
        // given a CRM whose DELETE answers 204 but keeps the contact
        aCrmThatKeepsTheContactItSaysItDeleted();

        // when the saga fails at the welcome and compensates the contact
        SagaSnapshot ended = run();

        // then it is escalated as drift, saying the contact still exists and what the check's GET answered
        assertEquals(SagaStatus.ESCALATED, ended.status());
        assertTrue(ended.lastError().startsWith("create-contact: drift: the compensation answered success but the resource still"
                + " exists (GET crm-api /contacts/" + contact + " answered 200: "), ended.lastError());
        assertTrue(ended.lastError().contains("the check expects status 404"), ended.lastError());

        // and both answers are in the saga's log: the compensation's 204, then each check's 200
        JsonPath step = createContact(saga(ended.id().toString()).jsonPath());
        List<Map<String, Object>> attempts = step.getList("attempts");
        Map<String, Object> undo = attempts.stream().filter(a -> "COMPENSATION".equals(a.get("direction"))).findFirst().orElseThrow();
        assertEquals("SUCCEEDED", undo.get("outcome"));
        assertEquals(204, ((Map<?, ?>) undo.get("response")).get("httpStatus"));
        List<Map<String, Object>> checks = attempts.stream().filter(a -> "VERIFY".equals(a.get("direction"))).toList();
        assertEquals(2, checks.size(), "the check's own budget: 2 attempts");
        checks.forEach(c -> {
            assertEquals("FAILED", c.get("outcome"));
            assertEquals("GET", ((Map<?, ?>) c.get("request")).get("method"));
            assertTrue(String.valueOf(c.get("errorMessage")).contains("answered 200"), String.valueOf(c.get("errorMessage")));
        });
        assertEquals("NOT_VERIFIED", step.getString("compensationCheck.state"));
    }

    @Test
    void theSameSagaOnceTheCrmIsHealedIsCompensatedAndVerifiedAfterAnOperatorsRetry() throws Exception {
        // given a saga escalated as drift by a CRM that kept the contact
        aCrmThatKeepsTheContactItSaysItDeleted();
        SagaSnapshot escalated = run();
        assertEquals(SagaStatus.ESCALATED, escalated.status(), escalated.lastError());

        // when the CRM is healed and an operator retries the saga
        theCrmHealed();
        operate("operator", escalated.id().toString(), "retry", "{\"reason\":\"CRM fixed its delete\"}").then().statusCode(200);

        // then it deletes the contact again, the check finds it gone, and the saga ends COMPENSATED and verified
        JsonPath detail = awaitStatus(escalated.id().toString(), "COMPENSATED").jsonPath();
        JsonPath step = createContact(detail);
        assertEquals("COMPENSATED", step.getString("effect"));
        assertEquals("VERIFIED", step.getString("compensationCheck.state"));
        List<Map<String, Object>> attempts = step.getList("attempts");
        // the undo and its check share their attempt numbers: undo 1, checks 2 and 3, undo 4, check 5
        assertEquals(List.of(1, 4), attempts.stream().filter(a -> "COMPENSATION".equals(a.get("direction")))
                .map(a -> (Integer) a.get("attempt")).toList(), "the undo was made again, numbered after the checks");
        Map<String, Object> lastCheck = attempts.get(attempts.size() - 1);
        assertEquals("VERIFY", lastCheck.get("direction"));
        assertEquals("SUCCEEDED", lastCheck.get("outcome"));
        tt().verifyThat(2, deleteRequestedFor(urlEqualTo("/crm/contacts/" + contact)));

        // and the console's saga page says the undo of create-contact was verified, and shows the checks in its timeline
        Map<String, String> viewer = io.restassured.RestAssured.given().redirects().follow(false)
                .formParam("j_username", "viewer").formParam("j_password", "viewer").post("/console/j_security_check").getCookies();
        String page = io.restassured.RestAssured.given().cookies(viewer)
                .get("/console/sagas/" + escalated.id()).then().statusCode(200).extract().asString();
        assertTrue(java.util.regex.Pattern.compile("(?s)<th scope=\"row\">create-contact</th>.*?<td class=\"undo-check\">verified</td>")
                .matcher(page).find(), page);
        assertTrue(page.contains("✓ check of the undo"), page);
    }
}
