package io.sagaorchestrator.examples.usersync;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TT creates the user but its answer is lost (the connection drops). The saga adds again, learns
 * the id from EXISTS, and goes on: one remote user, one local row, nothing orphaned.
 */
@QuarkusTest
class LostAddResponseIsReconciledTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    /** The first add creates the user and drops the connection; every later add answers EXISTS. */
    private static void givenTtLosesTheFirstAnswer(String username, String remoteId) {
        tt().register(addUser(username).inScenario(username).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("created"));
        tt().register(addUser(username).inScenario(username).whenScenarioStateIs("created")
                .willReturn(ttAnswer("EXISTS", remoteId)));
    }

    @Test
    void theSagaLearnsTheIdAndCompletesWithoutADuplicate() {
        // given
        String phone = uniquePhone();
        givenTtLosesTheFirstAnswer("qianjiu" + phone, "tt-" + phone);

        // when
        Response answer = startUserSync("钱九", phone, 10);

        // then
        answer.then().statusCode(200).body("result.remoteUserId", equalTo("tt-" + phone));
        assertEquals(1, count("select count(*) from liaison_info where phone = ? and remote_user_id = ?", phone, "tt-" + phone));
        tt().verifyThat(2, postRequestedFor(urlEqualTo("/users")));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
        saga(answer.path("sagaId")).then()
                .body("steps[0].attempts", hasSize(2))
                .body("steps[0].attempts[0].outcome", equalTo("UNKNOWN"))
                .body("steps[0].attempts[1].outcome", equalTo("SUCCEEDED"))
                .body("steps[0].output.ownership", equalTo("UNCERTAIN"));
    }

    @Test
    void whenTheSaveThenFailsAUserOfUncertainOwnerIsEscalatedNotDeleted() {
        // given the first answer is lost, and the local save will fail
        String phone = uniquePhone();
        givenTtLosesTheFirstAnswer("wushi" + phone, "tt-" + phone);
        execute("insert into liaison_info (id, name, phone, username, remote_user_id) values (nextval('liaison_info_seq'), 'X', ?, ?, 'tt-x')",
                phone, "x" + phone);

        // when
        Response answer = startUserSync("吴十", phone, 10);

        // then TT's EXISTS cannot tell whether this saga created the user: a person must decide
        answer.then().statusCode(409).body("status", equalTo("ESCALATED"))
                .body("detail", containsString("cannot be told whether this saga created it"));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
    }
}
