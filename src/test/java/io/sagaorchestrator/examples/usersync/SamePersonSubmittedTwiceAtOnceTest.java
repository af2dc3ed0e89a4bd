package io.sagaorchestrator.examples.usersync;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same person submitted twice at once (a form sent twice, two instances of a client): the second saga waits for
 * the first instead of running beside it. Side by side, the second met EXISTS, linked the user, and the first one's
 * compensation then deleted it.
 */
@QuarkusTest
class SamePersonSubmittedTwiceAtOnceTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void theSecondStartWaitsForTheFirstThenKeepsTheUserItMeetsAndNothingIsDeleted() throws Exception {
        // given TT creates the user slowly at the first add, and answers EXISTS to any add after it
        String phone = uniquePhone();
        String username = "zhangsan" + phone;
        String remoteId = "tt-" + phone;
        String scenario = "one user " + phone;
        tt().register(addUser(username).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ttAnswer("OK", remoteId).withFixedDelay(2000)).willSetStateTo("created"));
        tt().register(addUser(username).inScenario(scenario).whenScenarioStateIs("created")
                .willReturn(ttAnswer("EXISTS", remoteId)));
        tt().register(deleteUser(remoteId).willReturn(ttAnswer("OK", null)));

        // when the person is submitted, and submitted again while TT is still adding the user
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> startUserSync("张三", phone, 20));
        await().atMost(Duration.ofSeconds(10)).until(() -> tt().find(postRequestedFor(urlEqualTo("/users"))).size() == 1);
        CompletableFuture<Response> second = CompletableFuture.supplyAsync(() -> startUserSync("张三", phone, 20));

        // then the second saga is recorded, waiting for the first, and calls nothing meanwhile
        await().atMost(Duration.ofSeconds(10)).until(() -> count("select count(*) from saga where business_key = ?"
                + " and not key_held and last_error like 'waits for saga %'", username) == 1);
        assertEquals(1, tt().find(postRequestedFor(urlEqualTo("/users"))).size());

        // and the first completes, linked to the user it created
        Response firstAnswer = first.get();
        firstAnswer.then().statusCode(200).body("status", equalTo("COMPLETED"));
        // and the second runs after it: TT answers EXISTS, its local save meets the first's liaison, and it is undone
        // without deleting the user, which it did not create
        Response secondAnswer = second.get();
        secondAnswer.then().statusCode(409).body("status", equalTo("COMPENSATED"));
        saga(secondAnswer.path("sagaId")).then()
                .body("steps[0].output.ownership", equalTo("PRE_EXISTING"))
                .body("steps[0].attempts[1].direction", equalTo("COMPENSATION"))
                .body("steps[0].attempts[1].response.kept", equalTo(remoteId));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
        // and the one liaison links the TT user that still exists
        assertEquals(1, count("select count(*) from liaison_info where phone = ? and remote_user_id = ?", phone, remoteId));
    }

    @Test
    void aCompletedSagaIsNotUndoneByHandWhileALaterOneForTheSamePersonRuns() throws Exception {
        // given a person synced, and submitted again: the second saga's add is still in flight at TT
        String phone = uniquePhone();
        String username = "lisi" + phone;
        String scenario = "synced twice " + phone;
        tt().register(addUser(username).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ttAnswer("OK", "tt-" + phone)).willSetStateTo("created"));
        tt().register(addUser(username).inScenario(scenario).whenScenarioStateIs("created")
                .willReturn(ttAnswer("EXISTS", "tt-" + phone).withFixedDelay(3000)));
        String completed = startUserSync("李四", phone, 10).then().statusCode(200).extract().path("sagaId");
        CompletableFuture<Response> later = CompletableFuture.supplyAsync(() -> startUserSync("李四", phone, 20));
        await().atMost(Duration.ofSeconds(10)).until(() -> tt().find(postRequestedFor(urlEqualTo("/users"))).size() == 2);
        String laterId = as("viewer").get("/api/sagas?businessKey=" + username + "&status=RUNNING").path("items[0].sagaId");

        // when an operator asks to undo the first, completed saga: the later one may adopt the user it created
        Response refused = operate("operator", completed, "compensate", "{\"reason\":\"undo the sync\",\"force\":true}");

        // then it is refused, naming the later saga, and nothing changes; the compensation plan says so beforehand
        refused.then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("Saga " + laterId + " has the same key and came after this one"));
        saga(completed).then().body("status", equalTo("COMPLETED"));
        as("viewer").get("/api/sagas/" + completed + "/compensation-plan?force=true").then().statusCode(200)
                .body("refusal", containsString("Saga " + laterId));

        // and once the later saga is undone (it met EXISTS: it keeps the user), undoing the first is allowed again
        later.get().then().statusCode(409).body("status", equalTo("COMPENSATED"));
        as("viewer").get("/api/sagas/" + completed + "/compensation-plan?force=true").then().statusCode(200)
                .body("refusal", equalTo(null));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
    }
}
