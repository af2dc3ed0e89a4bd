package io.sagaorchestrator.examples.usersync;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.AUTH_TOKEN_OF_TEST_SECRET;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class UserSyncCompletesTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void aNewUserIsCreatedInTtThenSavedLocallyInTwoCommits() {
        // given TT creates the user 张三 with the phone
        String phone = uniquePhone();
        String username = "zhangsan" + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));

        // when the saga is started
        Response answer = startUserSync("张三", phone, 10);

        // then it completed with the local liaison and the remote id
        answer.then().statusCode(200)
                .body("status", equalTo("COMPLETED"))
                .body("result.remoteUserId", equalTo("tt-" + phone))
                .body("result.liaisonId", notNullValue());
        long liaisonId = answer.jsonPath().getLong("result.liaisonId");
        String sagaId = answer.path("sagaId");
        assertEquals(1, count("select count(*) from liaison_info where id = ? and phone = ? and username = ? and remote_user_id = ?",
                liaisonId, phone, username, "tt-" + phone));
        assertEquals(1, count("select count(*) from lz_liaison where liaison_id = ? and saga_id = ?::uuid and remote_user_id = ?",
                liaisonId, sagaId, "tt-" + phone));
        // and TT was called once, with the md5 authToken and the md5 of the default password
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/users"))
                .withHeader("authToken", WireMock.equalTo(AUTH_TOKEN_OF_TEST_SECRET))
                .withRequestBody(matchingJsonPath("$.username", WireMock.equalTo(username)))
                .withRequestBody(matchingJsonPath("$.name", WireMock.equalTo("张三")))
                .withRequestBody(matchingJsonPath("$.password", WireMock.equalTo(AuthToken.md5Hex("change-me-on-first-login")))));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
        // and the saga row was written twice: the start with the intent, and the local step with the end
        assertEquals(2, count("select version from saga where id = ?::uuid", sagaId));
    }

    @Test
    void theSagaDetailTellsEveryAttemptAndKeepsSecretsOut() {
        // given a completed saga
        String phone = uniquePhone();
        tt().register(addUser("lisi" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        String sagaId = startUserSync("李四", phone, 10).then().statusCode(200).extract().path("sagaId");

        // when an operator reads it
        Response detail = saga(sagaId);

        // then each step shows its attempt, its outcome and its output
        detail.then().statusCode(200)
                .body("definition", equalTo("user-sync"))
                .body("definitionHash", notNullValue())
                .body("input.username", equalTo("lisi" + phone))
                .body("steps", hasSize(2))
                .body("steps[0].name", equalTo("tt-add-user"))
                .body("steps[0].effect", equalTo("DONE"))
                .body("steps[0].output.ownership", equalTo("CREATED"))
                .body("steps[0].attempts", hasSize(1))
                .body("steps[0].attempts[0].direction", equalTo("FORWARD"))
                .body("steps[0].attempts[0].outcome", equalTo("SUCCEEDED"))
                .body("steps[0].attempts[0].request.body.password", equalTo("(redacted)"))
                .body("steps[1].name", equalTo("save-liaison"))
                .body("steps[1].attempts[0].outcome", equalTo("SUCCEEDED"));
        // and neither the authToken nor the password digest appears anywhere in it
        detail.then().body(not(containsString(AUTH_TOKEN_OF_TEST_SECRET)))
                .body(not(containsString(AuthToken.md5Hex("change-me-on-first-login"))));
    }
}
