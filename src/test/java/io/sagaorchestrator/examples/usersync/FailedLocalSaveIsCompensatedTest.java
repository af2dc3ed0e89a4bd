package io.sagaorchestrator.examples.usersync;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenTheLocalSaveWillFail;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The local save fails after TT created the user: the saga undoes exactly what it did in TT. */
@QuarkusTest
class FailedLocalSaveIsCompensatedTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void theUserThisSagaCreatedIsDeletedAndTheSagaEndsCompensated() {
        // given TT creates the user, and the local save will fail
        String phone = uniquePhone();
        tt().register(addUser("wangwu" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        givenTheLocalSaveWillFail(phone);

        // when the saga runs
        Response answer = startUserSync("王五", phone, 10);

        // then it answers 409 COMPENSATED, naming the saga and why
        answer.then().statusCode(409).contentType("application/problem+json")
                .body("status", equalTo("COMPENSATED"))
                .body("detail", containsString("liaison_info_phone_key"));
        String sagaId = answer.path("sagaId");
        // and the TT user was deleted once, and nothing of this saga stays locally
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
        assertEquals(0, count("select count(*) from lz_liaison where saga_id = ?::uuid", sagaId));
        assertEquals(0, count("select count(*) from liaison_info where username = ?", "wangwu" + phone));
        // and the log shows the forward add, the rejected save, the compensating delete and its check that the user is gone
        saga(sagaId).then()
                .body("steps[0].effect", equalTo("COMPENSATED"))
                .body("steps[0].attempts", hasSize(3))
                .body("steps[0].attempts[1].direction", equalTo("COMPENSATION"))
                .body("steps[0].attempts[1].outcome", equalTo("SUCCEEDED"))
                .body("steps[0].attempts[2].direction", equalTo("VERIFY"))
                .body("steps[0].attempts[2].request.method", equalTo("GET"))
                .body("steps[0].attempts[2].request.path", equalTo("/users/tt-" + phone))
                .body("steps[0].attempts[2].request.headers.authToken", equalTo("[secret]"))
                .body("steps[0].attempts[2].outcome", equalTo("SUCCEEDED"))
                .body("steps[0].compensationCheck.state", equalTo("VERIFIED"))
                .body("steps[1].attempts[0].outcome", equalTo("REJECTED"))
                .body("steps[1].attempts[0].errorClass", equalTo("RejectedFailure"));
    }

    @Test
    void aUserThatExistedInTtBeforeTheSagaIsNotDeleted() {
        // given TT answers EXISTS to the very first add (somebody registered the username before)
        String phone = uniquePhone();
        tt().register(addUser("zhaoliu" + phone).willReturn(ttAnswer("EXISTS", "tt-old-" + phone)));
        tt().register(deleteUser("tt-old-" + phone).willReturn(ttAnswer("OK", null)));
        givenTheLocalSaveWillFail(phone);

        // when the saga runs and its local save fails
        Response answer = startUserSync("赵六", phone, 10);

        // then it is compensated without deleting somebody else's user
        answer.then().statusCode(409).body("status", equalTo("COMPENSATED"));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
        saga(answer.path("sagaId")).then()
                .body("steps[0].output.ownership", equalTo("PRE_EXISTING"))
                .body("steps[0].attempts[1].response.kept", equalTo("tt-old-" + phone))
                .body("steps[0].attempts[1].response.reason", startsWith("kept: it existed before this saga"))
                // and its log claims no request: none was sent
                .body("steps[0].attempts[1].request", nullValue())
                // and no check was demanded of a user kept on purpose: it must still exist
                .body("steps[0].attempts", hasSize(2))
                .body("steps[0].compensationCheck.state", equalTo("NOT_NEEDED"))
                .body("steps[0].compensationCheck.reason", startsWith("kept: it existed before this saga"));
    }

    @Test
    void aRejectedAddEndsCompensatedWithNothingToUndo() {
        // given TT rejects the user for good
        String phone = uniquePhone();
        tt().register(addUser("sunqi" + phone).willReturn(ttError(400)));

        // when the saga runs
        Response answer = startUserSync("孙七", phone, 10);

        // then it ends COMPENSATED after one attempt, with nothing saved and nothing deleted
        answer.then().statusCode(409).body("status", equalTo("COMPENSATED"))
                .body("detail", containsString("HTTP 400"));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/users")));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
        assertEquals(0, count("select count(*) from liaison_info where phone = ?", phone));
        saga(answer.path("sagaId")).then().body("steps[0].attempts", hasSize(1))
                .body("steps[0].attempts[0].outcome", equalTo("REJECTED"));
    }

    @Test
    void compensationThatKeepsFailingEscalatesAndAlerts() {
        // given TT creates the user but cannot delete it, and the local save will fail
        String phone = uniquePhone();
        tt().register(addUser("zhouba" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttError(503)));
        tt().register(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/alerts")).willReturn(ttAnswer("OK", null)));
        givenTheLocalSaveWillFail(phone);

        // when the saga runs (retry delays are compressed in tests)
        Response answer = startUserSync("周八", phone, 30);

        // then it is ESCALATED after the whole compensation budget, and says why
        answer.then().statusCode(409).body("status", equalTo("ESCALATED"))
                .body("detail", containsString("ttDeleteUser failed with HTTP 503"));
        String sagaId = answer.path("sagaId");
        tt().verifyThat(12, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
        // and the webhook got an alert naming the saga
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                tt().verifyThat(1, postRequestedFor(urlEqualTo("/alerts")).withRequestBody(matching(".*\"sagaId\":\"" + sagaId + "\".*"))));
        // and the local database kept nothing of it: the TT user is the one thing to repair
        assertEquals(0, count("select count(*) from lz_liaison where saga_id = ?::uuid", sagaId));
    }
}
