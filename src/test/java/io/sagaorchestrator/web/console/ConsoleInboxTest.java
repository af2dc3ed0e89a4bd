package io.sagaorchestrator.web.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.runtime.SagaEngine;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's inbox lists the sagas waiting for a person, and approve and reject send their signal: the saga goes on,
 * or undoes what it did.
 */
@QuarkusTest
class ConsoleInboxTest {

    private static final Pattern TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    ObjectMapper json;

    private SagaEngine.Started waitingSaga() {
        String sku = "sku-" + UUID.randomUUID();
        String body = "{\"id\":\"x-1\"}";
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(body)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(body)));
        tt().register(delete(urlMatching("/shop/reservations/.*")).willReturn(aResponse().withStatus(204)));
        SagaEngine.Started started = engine.start(definitions.current("approval-shop-test").orElseThrow(),
                json.valueToTree(Map.of("sku", sku)), sku, "inbox-test", null, Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> "approval".equals(saga(started.sagaId().toString()).path("waitingFor")));
        return started;
    }

    private static Map<String, String> signedIn(String user) {
        return new HashMap<>(ConsoleSignInTest.signIn(user, user).getCookies());
    }

    private static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertTrue(m.find(), "the page has a form with a token");
        return m.group(1);
    }

    private static String signalIdOf(String html, UUID sagaId) {
        Matcher m = Pattern.compile("id=\"decide-" + sagaId + "\">.*?name=\"signalId\" value=\"([^\"]+)\"", Pattern.DOTALL)
                .matcher(html);
        assertTrue(m.find(), "the inbox has a form for " + sagaId);
        return m.group(1);
    }

    @Test
    void anOperatorApprovesAWaitingSagaFromTheInboxAndItGoesOn() throws Exception {
        SagaEngine.Started waiting = waitingSaga();
        Map<String, String> cookies = signedIn("operator");

        // the inbox lists the saga with what it waits for, and approve and reject
        Response page = given().cookies(cookies).get("/console/inbox");
        page.then().statusCode(200).body(containsString("data-saga-id=\"" + waiting.sagaId() + "\""))
                .body(containsString("signal <strong>approval</strong> at manager-approval"))
                .body(containsString("id=\"approve-" + waiting.sagaId() + "\""));
        cookies.putAll(page.getCookies());
        String html = page.asString();

        // when the operator approves it, with a comment
        given().redirects().follow(false).cookies(cookies).formParam("csrf", token(html))
                .formParam("signalId", signalIdOf(html, waiting.sagaId())).formParam("decision", "approve")
                .formParam("comment", "fine by me").post("/console/inbox/" + waiting.sagaId() + "/approval")
                .then().statusCode(303).header("Location", containsString("/console/inbox?done="));

        // then the saga completes with the approval as the step's output, and leaves the inbox
        SagaSnapshot ended = waiting.ended().get(20, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPLETED, ended.status());
        assertEquals(json.readTree("{\"approved\": true, \"comment\": \"fine by me\"}"),
                ended.stepState("manager-approval").output());
        given().cookies(cookies).get("/console/inbox").then()
                .body(not(containsString("data-saga-id=\"" + waiting.sagaId() + "\"")));
    }

    @Test
    void aRejectionFromTheInboxUndoesTheSaga() throws Exception {
        SagaEngine.Started waiting = waitingSaga();
        Map<String, String> cookies = signedIn("operator");
        Response page = given().cookies(cookies).get("/console/inbox");
        cookies.putAll(page.getCookies());
        String html = page.asString();

        given().redirects().follow(false).cookies(cookies).formParam("csrf", token(html))
                .formParam("signalId", signalIdOf(html, waiting.sagaId())).formParam("decision", "reject")
                .post("/console/inbox/" + waiting.sagaId() + "/approval")
                .then().statusCode(303);

        assertEquals(SagaStatus.COMPENSATED, waiting.ended().get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void aWaitingSagaShowsAsWaitingOnItsPageTheListAndTheOverview() {
        SagaEngine.Started waiting = waitingSaga();
        Map<String, String> cookies = signedIn("viewer");

        given().cookies(cookies).get("/console/sagas/" + waiting.sagaId()).then().statusCode(200)
                .body(containsString("id=\"waiting-for\">signal <strong>approval</strong>, holding nothing"));
        given().cookies(cookies).get("/console/sagas?definition=approval-shop-test").then().statusCode(200)
                .body(containsString("<span class=\"tag\">waiting for approval</span>"));
        given().cookies(cookies).get("/console").then().statusCode(200).body(containsString("id=\"count-waiting\""));
    }

    @Test
    void aViewerSeesTheInboxButMayNotDecide() {
        SagaEngine.Started waiting = waitingSaga();

        given().cookies(signedIn("viewer")).get("/console/inbox").then().statusCode(200)
                .body(containsString("data-saga-id=\"" + waiting.sagaId() + "\""))
                .body(containsString("needs one of the roles saga-operator"))
                .body(not(containsString("id=\"approve-" + waiting.sagaId() + "\"")));
    }

    @Test
    void aDecisionPostedByAViewerIsRefusedAndSendsNothing() {
        // given a waiting saga, and a viewer whose inbox offers no form
        SagaEngine.Started waiting = waitingSaga();
        Map<String, String> cookies = signedIn("viewer");

        // when the viewer's browser posts an approval by hand
        given().redirects().follow(false).cookies(cookies).formParam("decision", "approve").formParam("signalId", "forged")
                .post("/console/inbox/" + waiting.sagaId() + "/approval")
                .then().statusCode(403).body(containsString("nothing was sent"));

        // then no signal is kept and the saga still waits
        assertEquals(0, count("select count(*) from saga_signal where saga_id = ?::uuid", waiting.sagaId().toString()));
        saga(waiting.sagaId().toString()).then().body("waitingFor", equalTo("approval"));
    }
}
