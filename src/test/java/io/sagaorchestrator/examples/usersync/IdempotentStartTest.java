package io.sagaorchestrator.examples.usersync;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The same Idempotency-Key always answers for the same saga and never starts a second one. */
@QuarkusTest
class IdempotentStartTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    private static Response start(String key, String name, String phone) {
        return start("client", key, name, phone);
    }

    private static Response start(String caller, String key, String name, String phone) {
        return as(caller).contentType("application/json").header("Idempotency-Key", key)
                .body("{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\"}")
                .post("/api/sagas/user-sync?wait=10");
    }

    @Test
    void twoConcurrentStartsWithOneKeyMakeOneSaga() {
        // given
        String phone = uniquePhone();
        String key = UUID.randomUUID().toString();
        tt().register(addUser("zhengyi" + phone).willReturn(ttAnswer("OK", "tt-" + phone).withFixedDelay(300)));

        // when the same request arrives twice at once
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> start(key, "郑一", phone));
        CompletableFuture<Response> second = CompletableFuture.supplyAsync(() -> start(key, "郑一", phone));

        // then both answer for one completed saga
        String a = first.join().then().statusCode(200).extract().path("sagaId");
        String b = second.join().then().statusCode(200).extract().path("sagaId");
        assertEquals(a, b);
        assertEquals(1, count("select count(*) from saga where idempotency_key = ?", key));
        assertEquals(1, count("select count(*) from liaison_info where phone = ?", phone));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/users")));
    }

    @Test
    void aKeyReusedWithAnotherBodyIs422AndStartsNothing() {
        // given a saga started with a key
        String phone = uniquePhone();
        String key = UUID.randomUUID().toString();
        tt().register(addUser("zhenger" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        String sagaId = start(key, "郑二", phone).then().statusCode(200).extract().path("sagaId");

        // when the key comes again with another body, then it is refused, naming the first saga
        start(key, "郑三", phone).then().statusCode(422).contentType("application/problem+json")
                .body("sagaId", equalTo(sagaId));
        assertEquals(1, count("select count(*) from saga where idempotency_key = ?", key));
    }

    @Test
    void aKeyBelongsToItsCallerSoAnotherClientWithTheSameKeyGetsItsOwnSaga() {
        // given client A started a saga with a key
        String phoneA = uniquePhone();
        String phoneB = uniquePhone();
        String key = UUID.randomUUID().toString();
        tt().register(addUser("qianyi" + phoneA).willReturn(ttAnswer("OK", "tt-" + phoneA)));
        tt().register(addUser("qianer" + phoneB).willReturn(ttAnswer("OK", "tt-" + phoneB)));
        String sagaOfA = start("client", key, "钱一", phoneA).then().statusCode(200).extract().path("sagaId");

        // when client B sends the same key with its own body
        Response answerToB = start("client2", key, "钱二", phoneB);

        // then B gets a saga of its own, and nothing of A's
        answerToB.then().statusCode(200).body("result.remoteUserId", equalTo("tt-" + phoneB));
        String sagaOfB = answerToB.path("sagaId");
        assertNotEquals(sagaOfA, sagaOfB);
        assertEquals(2, count("select count(*) from saga where idempotency_key = ?", key));
        // and each caller repeating the key gets its own saga back, never the other's
        start("client2", key, "钱二", phoneB).then().statusCode(200).body("sagaId", equalTo(sagaOfB));
        start("client", key, "钱一", phoneA).then().statusCode(200).body("sagaId", equalTo(sagaOfA))
                .body("result.remoteUserId", equalTo("tt-" + phoneA));
        tt().verifyThat(2, postRequestedFor(urlEqualTo("/users")));
    }
}
