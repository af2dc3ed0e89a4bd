package io.sagaorchestrator.examples.usersync;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** user-sync the other way round: saved locally first, created in TT after the commit. */
@QuarkusTest
class UserSyncOutboxTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    private static Response start(String name, String phone) {
        return as("client").contentType("application/json").body("{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\"}")
                .post("/api/sagas/user-sync-outbox?wait=10");
    }

    @Test
    void theLiaisonIsSavedThenCreatedInTtThenLinkedInThreeCommits() {
        // given
        String phone = uniquePhone();
        tt().register(addUser("outa" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));

        // when
        Response answer = start("OutA", phone);

        // then the liaison is SYNCED with its TT id and link row
        answer.then().statusCode(200).body("result.remoteUserId", equalTo("tt-" + phone));
        String sagaId = answer.path("sagaId");
        assertEquals(1, count("select count(*) from liaison_info where phone = ? and sync_status = 'SYNCED' and remote_user_id = ?",
                phone, "tt-" + phone));
        assertEquals(1, count("select count(*) from lz_liaison where saga_id = ?::uuid", sagaId));
        // the saga, the local save with the call's intent, and the outcome with the link
        assertEquals(3, count("select version from saga where id = ?::uuid", sagaId));
    }

    @Test
    void aUserTtRefusesLeavesTheLiaisonMarkedRejected() {
        // given TT refuses the user
        String phone = uniquePhone();
        tt().register(addUser("outb" + phone).willReturn(ttError(400)));

        // when
        Response answer = start("OutB", phone);

        // then the saga is compensated: the liaison is kept, marked REJECTED with the saga to look at
        answer.then().statusCode(409).body("status", equalTo("COMPENSATED"));
        String sagaId = answer.path("sagaId");
        assertEquals(1, count("select count(*) from liaison_info where phone = ? and sync_status = 'REJECTED'"
                + " and remote_user_id is null and sync_error like ?", phone, "%" + sagaId + "%"));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
    }

    @Test
    void aLocalSaveThatFailsNeverCallsTt() {
        // given a liaison with this phone exists
        String phone = uniquePhone();
        execute("insert into liaison_info (id, name, phone, username, remote_user_id) values (nextval('liaison_info_seq'), 'X', ?, ?, 'tt-x')",
                phone, "x" + phone);
        tt().register(addUser("outc" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));

        // when / then
        start("OutC", phone).then().statusCode(409).body("status", equalTo("COMPENSATED"));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/users")));
    }
}
