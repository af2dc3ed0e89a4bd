package io.sagaorchestrator.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A saga of declared calls declares its key too (test definition {@code keyed-seat-test}: one live saga per seat, a
 * second start meanwhile refused): the refusal names the live saga and records nothing.
 */
@QuarkusTest
class KeyedStartTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void aSecondStartForASeatWhoseSagaIsLiveIsRefusedNamingItAndRecordsNothing() throws Exception {
        // given a seat whose hold takes a while at the shop
        String seat = "A-" + UUID.randomUUID().toString().substring(0, 8);
        tt().register(post(urlEqualTo("/shop/seats/" + seat)).willReturn(ttAnswer("OK", null).withBody("{\"id\":\"h-" + seat + "\"}")
                .withFixedDelay(2000)));
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> start(seat));
        await().atMost(Duration.ofSeconds(10)).until(() -> tt().find(postRequestedFor(urlEqualTo("/shop/seats/" + seat))).size() == 1);
        String holder = as("viewer").get("/api/sagas?definition=keyed-seat-test&status=RUNNING").path("items[0].sagaId");

        // when the same seat is started again while the first saga runs
        Response second = start(seat);

        // then it is refused with 409, naming the key and the live saga, and nothing of it is recorded
        second.then().statusCode(409).contentType("application/problem+json")
                .body("type", endsWith("saga-key-held"))
                .body("key", equalTo("seat:" + seat))
                .body("sagaId", equalTo(holder))
                .body("detail", containsString("Saga " + holder + " holds the key seat:" + seat));
        assertEquals(1, count("select count(*) from saga where definition_name = 'keyed-seat-test' and input ->> 'seat' = ?", seat));
        assertEquals(1, tt().find(postRequestedFor(urlEqualTo("/shop/seats/" + seat))).size());

        // and once the first has ended, the seat can be started again
        first.get().then().statusCode(200).body("status", equalTo("COMPLETED"));
        start(seat).then().statusCode(200).body("status", equalTo("COMPLETED"));
    }

    @Test
    void theDefinitionsListShowsTheKeyAndWhatASecondStartDoes() {
        as("viewer").get("/api/definitions").then().statusCode(200)
                .body("find { it.name == 'keyed-seat-test' }.key.key", equalTo("seat:${input.seat}"))
                .body("find { it.name == 'keyed-seat-test' }.key.onLiveKey", equalTo("refuse"))
                .body("find { it.name == 'user-sync' }.key.key", equalTo("tt-user:${input.username}"))
                .body("find { it.name == 'user-sync-outbox' }.key.onLiveKey", equalTo("wait"))
                .body("find { it.name == 'send-sms' }.key", equalTo(null));
    }

    private static Response start(String seat) {
        return as("client").contentType("application/json").body("{\"seat\":\"" + seat + "\"}")
                .post("/api/sagas/keyed-seat-test?wait=10");
    }
}
