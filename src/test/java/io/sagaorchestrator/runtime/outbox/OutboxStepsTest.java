package io.sagaorchestrator.runtime.outbox;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The transactional outbox: the call is owed exactly when the local transaction commits, and made once. */
@QuarkusTest
class OutboxStepsTest {

    @Inject
    SagaOutbox outbox;

    @Inject
    EntityManager em;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder sms(String phone) {
        return post(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone)));
    }

    private static com.github.tomakehurst.wiremock.matching.RequestPatternBuilder smsSent(String phone) {
        return postRequestedFor(urlEqualTo("/sms/messages")).withRequestBody(matchingJsonPath("$.phone", WireMock.equalTo(phone)));
    }

    /** Business code: a local write and an SMS owed for it, in one transaction. */
    private UUID recordAndNotify(String phone, boolean thenFail) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("insert into liaison_info (id, name, phone, username, remote_user_id) values"
                    + " (nextval('liaison_info_seq'), 'Outbox', ?1, ?2, 'tt-local')").setParameter(1, phone).setParameter(2, "o" + phone)
                    .executeUpdate();
            UUID sagaId = outbox.dispatch("send-sms", Map.of("phone", phone, "content", "welcome"), phone, null).sagaId();
            if (thenFail) {
                throw new IllegalStateException("the business transaction fails after enlisting");
            }
            return sagaId;
        });
    }

    @Test
    void aRolledBackTransactionLeavesNoTaskAndSendsNothing() {
        // given
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));

        // when the business transaction fails after enlisting the SMS
        assertThrows(IllegalStateException.class, () -> recordAndNotify(phone, true));

        // then neither the business row nor the saga exists, and no SMS goes out
        assertEquals(0, count("select count(*) from saga where business_key = ?", phone));
        assertEquals(0, count("select count(*) from liaison_info where phone = ?", phone));
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);
        tt().verifyThat(0, smsSent(phone));
    }

    @Test
    void aKeyDispatchedAgainInALaterTransactionAnswersTheFirstSagaAndSendsOnce() {
        // given an SMS dispatched with an idempotency key, committed and sent
        String phone = uniquePhone();
        String key = "sms-" + phone;
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));
        UUID first = QuarkusTransaction.requiringNew().call(() ->
                outbox.dispatch("send-sms", Map.of("phone", phone, "content", "welcome"), phone, key).sagaId());
        awaitStatus(first.toString(), "COMPLETED");

        // when the same business code dispatches it again with the key, in a transaction of its own
        var again = QuarkusTransaction.requiringNew().call(() ->
                outbox.dispatch("send-sms", Map.of("phone", phone, "content", "welcome"), phone, key));

        // then it answers the first saga, starts none, and the SMS went out once
        assertEquals(first, again.sagaId());
        assertEquals(false, again.created());
        assertEquals(1, count("select count(*) from saga where business_key = ?", phone));
        tt().verifyThat(1, smsSent(phone));
    }

    @Test
    void aCommittedTransactionSendsOnceWithAStableIdempotencyKey() {
        // given
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));

        // when the business transaction commits
        UUID sagaId = recordAndNotify(phone, false);

        // then the SMS is sent once, keyed by the saga and step, and the saga completes
        awaitStatus(sagaId.toString(), "COMPLETED");
        tt().verifyThat(1, smsSent(phone).withHeader("Idempotency-Key", WireMock.equalTo(sagaId + ":send-sms")));
        // and nothing sends it again later (recovery runs every second in tests)
        await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> true);
        tt().verifyThat(1, smsSent(phone));
    }

    @Test
    void aPayloadTheDefinitionDoesNotTakeIsRefusedBeforeAnythingIsWritten() {
        // given a business transaction that dispatches push-crm with a user id that cannot be one
        String phone = uniquePhone();

        // when it runs
        InvalidSagaInputException e = assertThrows(InvalidSagaInputException.class, () -> QuarkusTransaction.requiringNew().run(() ->
                outbox.dispatch("push-crm", Map.of("user_id", -4), phone, null)));

        // then the caller learns which field is wrong, and no saga was written
        org.hamcrest.MatcherAssert.assertThat(e.getMessage(), containsString("user_id must be at least 1"));
        assertEquals(0, count("select count(*) from saga where business_key = ?", phone));
    }

    @Test
    void enlistingOutsideATransactionIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> outbox.dispatch("send-sms", Map.of("phone", "13800000000", "content", "x")));
        org.hamcrest.MatcherAssert.assertThat(e.getMessage(), containsString("@Transactional"));
    }

    @Test
    void aFailingGatewayIsRetriedUntilItAcceptsWithTheSameKeyEachTime() {
        // given a gateway that fails twice, then accepts
        String phone = uniquePhone();
        tt().register(sms(phone).inScenario(phone).whenScenarioStateIs(Scenario.STARTED).willReturn(ttError(503)).willSetStateTo("once"));
        tt().register(sms(phone).inScenario(phone).whenScenarioStateIs("once").willReturn(ttError(503)).willSetStateTo("twice"));
        tt().register(sms(phone).inScenario(phone).whenScenarioStateIs("twice").willReturn(ttAnswer("OK", null)));

        // when an SMS is sent through the API
        String sagaId = as("client").contentType("application/json").body("{\"phone\":\"" + phone + "\",\"content\":\"hi\"}")
                .post("/api/sagas/send-sms?wait=20").then().statusCode(200).extract().path("sagaId");

        // then it took three attempts, all with one key
        tt().verifyThat(3, smsSent(phone).withHeader("Idempotency-Key", WireMock.equalTo(sagaId + ":send-sms")));
        saga(sagaId).then().body("steps[0].attempts", hasSize(3)).body("steps[0].attempts[2].outcome", equalTo("SUCCEEDED"));
    }

    @Test
    void aGatewayThatKeepsFailingEscalatesWithAnAlertAndIsResentByHand() {
        // given a gateway that is down
        String phone = uniquePhone();
        tt().register(sms(phone).willReturn(ttError(503)));
        tt().register(WireMock.post(urlEqualTo("/alerts")).willReturn(ttAnswer("OK", null)));

        // when an SMS is sent, then after the whole budget the saga is escalated and an alert goes out
        String sagaId = as("client").contentType("application/json").body("{\"phone\":\"" + phone + "\",\"content\":\"hi\"}")
                .post("/api/sagas/send-sms?wait=30").then().statusCode(409).body("status", equalTo("ESCALATED"))
                .body("detail", containsString("POST sms-api /messages failed with HTTP 503")).extract().path("sagaId");
        tt().verifyThat(8, smsSent(phone));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> tt().verifyThat(1, postRequestedFor(urlEqualTo("/alerts"))
                .withRequestBody(WireMock.containing(sagaId))));

        // when the gateway is back and an operator resends it, then it is sent and the saga completes
        tt().register(sms(phone).willReturn(ttAnswer("OK", null)));
        operate("operator", sagaId, "retry", "{\"reason\":\"gateway fixed, resend\"}").then().statusCode(200)
                .body("statusAfter", equalTo("RUNNING"));
        awaitStatus(sagaId, "COMPLETED");
        tt().verifyThat(9, smsSent(phone));
    }

    @Test
    void aCrmPushIsMadeAfterCommit() {
        tt().register(post(urlEqualTo("/crm/users/42/push")).willReturn(ttAnswer("OK", null)));
        String sagaId = as("client").contentType("application/json").body("{\"user_id\":42}")
                .post("/api/sagas/push-crm?wait=10").then().statusCode(200).extract().path("sagaId");
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/crm/users/42/push"))
                .withHeader("Idempotency-Key", WireMock.equalTo(sagaId + ":push-crm")));
        as("client").contentType("application/json").body("{\"user_id\":0}").post("/api/sagas/push-crm").then().statusCode(400);
    }
}
