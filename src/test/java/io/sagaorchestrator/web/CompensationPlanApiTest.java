package io.sagaorchestrator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.runtime.SagaEngine;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.examples.usersync.AuthToken;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.AUTH_TOKEN_OF_TEST_SECRET;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenStuckUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenTheLocalSaveWillFail;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code GET /api/sagas/{id}/compensation-plan} and {@code POST /api/bulk-operations/compensation-plan}: what
 * compensating would do, read-only, with the operation's refusals, and never a secret.
 */
@QuarkusTest
class CompensationPlanApiTest {

    private static final String SHOP_SECRET = "shop-key-for-the-tests-only";

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    ObjectMapper json;

    @BeforeEach
    void freshDouble() {
        resetTt();
    }

    private static String completedUserSync(String phone) {
        tt().register(addUser("plan" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        return startUserSync("Plan", phone, 30).then().statusCode(200).extract().path("sagaId");
    }

    private static Response plan(String user, String sagaId, String query) {
        return as(user).get("/api/sagas/" + sagaId + "/compensation-plan" + query);
    }

    @Test
    void aCompletedSagasPlanListsItsStepsLatestFirstSaysItNeedsForceAndChangesNothing() {
        // given a COMPLETED user-sync saga
        String phone = uniquePhone();
        String sagaId = completedUserSync(phone);

        // when a viewer asks for its plan
        Response plan = plan("viewer", sagaId, "");

        // then it lists both steps latest first, with the request ttDeleteUser would send, and says force is needed
        plan.then().statusCode(200)
                .body("status", equalTo("COMPLETED"))
                .body("needsForce", equalTo(true))
                .body("refusal", containsString("\"force\": true"))
                .body("steps", hasSize(2))
                .body("steps[0].name", equalTo("save-liaison"))
                .body("steps[0].undo", equalTo(true))
                .body("steps[0].request", nullValue())
                .body("steps[1].name", equalTo("tt-add-user"))
                .body("steps[1].effect", equalTo("DONE"))
                .body("steps[1].ownership", equalTo("CREATED"))
                .body("steps[1].onUncertainOwnership", equalTo("escalate"))
                .body("steps[1].request.method", equalTo("DELETE"))
                .body("steps[1].request.path", equalTo("/users/tt-" + phone));
        // and no secret of TT is in it: not the app secret, not its md5 (the auth token), not the md5 of the password
        String body = plan.asString();
        assertFalse(body.contains("test-secret") || body.contains(AUTH_TOKEN_OF_TEST_SECRET)
                || body.contains(AuthToken.md5Hex("change-me-on-first-login")), body);
        // and asking with force, nothing would be refused
        plan("operator", sagaId, "?force=true").then().statusCode(200).body("refusal", nullValue());
        // and asking changed nothing
        saga(sagaId).then().body("status", equalTo("COMPLETED")).body("operations", hasSize(0));
    }

    @Test
    void aUserThatExistedBeforeTheSagaIsPlannedAsKeptWithNoRequest() {
        // given a COMPLETED user-sync saga whose TT user existed before it (TT answered EXISTS to the first add)
        String phone = uniquePhone();
        tt().register(addUser("plan" + phone).willReturn(ttAnswer("EXISTS", "tt-old-" + phone)));
        String sagaId = startUserSync("Plan", phone, 30).then().statusCode(200).extract().path("sagaId");

        // when its forced plan is asked
        Response plan = plan("operator", sagaId, "?force=true");

        // then the add's undo is said to keep the user, and no DELETE is claimed
        plan.then().statusCode(200)
                .body("steps[1].name", equalTo("tt-add-user"))
                .body("steps[1].ownership", equalTo("PRE_EXISTING"))
                .body("steps[1].undo", equalTo(true))
                .body("steps[1].why", startsWith("kept: it existed before this saga"))
                .body("steps[1].request", nullValue());
    }

    @Test
    void aDeclaredCompensationsSecretHeaderIsLeftOutOfThePlan() throws Exception {
        // given a COMPLETED saga whose first step's undo sends the shop's API key
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"r-" + sku + "\"}")));
        tt().register(post(urlEqualTo("/shop/charges")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"charge\":{\"id\":\"c-" + sku + "\"}}")));
        SagaDefinition shop = definitions.current("http-shop-test").orElseThrow();
        JsonNode input = json.valueToTree(Map.of("sku", sku, "quantity", 2, "order", "o-" + sku, "amount", 1250));
        SagaSnapshot done = engine.start(shop, input, sku, "compensation-plan-test", null, Duration.ofSeconds(5)).ended()
                .get(30, TimeUnit.SECONDS);
        assertEquals(SagaStatus.COMPLETED, done.status());

        // when its plan is asked
        Response plan = plan("viewer", done.id().toString(), "?force=true");

        // then the undo's request is shown with the key's header, but not the key
        plan.then().statusCode(200)
                .body("steps[1].name", equalTo("reserve"))
                .body("steps[1].request.method", equalTo("DELETE"))
                .body("steps[1].request.path", equalTo("/reservations/r-" + sku))
                .body("steps[1].request.headers.X-Api-Key", equalTo("[secret]"));
        assertFalse(plan.asString().contains(SHOP_SECRET), plan.asString());
    }

    @Test
    void aStuckSagasPlanUndoesItsUncertainCallAndSkipsWhatItNeverReached() {
        // given a RUNNING saga stuck at tt-add-user after unknown outcomes
        String phone = uniquePhone();
        SagaDefinition userSync = definitions.current("user-sync").orElseThrow();
        UUID sagaId = givenStuckUserSync(userSync.hash(), userSync.version(), "stuck" + phone, phone, 3, Duration.ofHours(1));

        // when its plan is asked
        // then the add is undone as possibly done, under the escalate policy, and the save was never reached
        plan("operator", sagaId.toString(), "").then().statusCode(200)
                .body("needsForce", equalTo(false))
                .body("refusal", nullValue())
                .body("steps[0].name", equalTo("save-liaison"))
                .body("steps[0].undo", equalTo(false))
                .body("steps[0].why", equalTo("not reached: the saga never got there"))
                .body("steps[1].effect", equalTo("UNCERTAIN"))
                .body("steps[1].undo", equalTo(true))
                .body("steps[1].why", containsString("onUncertainOwnership escalates the saga to a person"))
                .body("steps[1].request.path", equalTo("/users/(learned by re-issuing ttAddUser)"));
    }

    @Test
    void aSagaWithNothingToUndoIsRefusedInTheOperationsWords() {
        // given a saga COMPENSATED already
        String phone = uniquePhone();
        tt().register(addUser("plan" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        givenTheLocalSaveWillFail(phone);
        String sagaId = startUserSync("Plan", phone, 30).then().statusCode(409).body("status", equalTo("COMPENSATED"))
                .extract().path("sagaId");

        // when its plan is asked
        Response plan = plan("viewer", sagaId, "");

        // then it is refused as compensating it would be, with the same words
        String refusal = operate("operator", sagaId, "compensate", "{\"reason\":\"compare\"}").then().statusCode(409)
                .extract().path("detail");
        plan.then().statusCode(409).contentType("application/problem+json").body("detail", equalTo(refusal))
                .body("detail", containsString("A COMPENSATED saga cannot be compensated"));
    }

    @Test
    void anUnknownSagaHasNoPlan() {
        plan("viewer", UUID.randomUUID().toString(), "").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aBulkCompensatesPlanCountsWhatWouldBeUndoneAndRefused() {
        // given two COMPLETED sagas the filter matches
        String phone = uniquePhone();
        completedUserSync(phone);
        String other = phone.substring(0, phone.length() - 1) + (phone.charAt(phone.length() - 1) == '0' ? '1' : '0');
        completedUserSync(other);
        String filter = "{\"status\":[\"COMPLETED\"],\"businessKey\":\"plan" + phone + "\"}";

        // when the plan of a bulk compensate without force is asked
        // then the saga would be refused for want of force
        as("viewer").contentType("application/json").body("{\"filter\":" + filter + "}")
                .post("/api/bulk-operations/compensation-plan").then().statusCode(200)
                .body("sagas", equalTo(1))
                .body("wouldUndo", equalTo(0))
                .body("wouldBeRefused", equalTo(1));

        // and with force, both of its steps would be undone
        as("operator").contentType("application/json").body("{\"force\":true,\"filter\":" + filter + "}")
                .post("/api/bulk-operations/compensation-plan").then().statusCode(200)
                .body("sagas", equalTo(1))
                .body("wouldUndo", equalTo(1))
                .body("steps.find { it.step == 'save-liaison' }.undo", equalTo(1))
                .body("steps.find { it.step == 'tt-add-user' }.undo", equalTo(1));
        // and nothing was submitted
        assertEquals(0, count("select count(*) from bulk_operation where filter ->> 'businessKey' = ?", "plan" + phone));
    }

    @Test
    void aBulkPlanOverEverySagaIsRefusedAsTheBulkOperationIs() {
        as("operator").contentType("application/json").body("{\"filter\":{}}").post("/api/bulk-operations/compensation-plan")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("filter is empty"));
    }
}
