package io.sagaorchestrator.telemetry;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A saga is one trace: a root span, a span per step attempt in both directions, and its traceparent at the third party. */
@QuarkusTest
class OneTracePerSagaTest {

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    /** TT creates the user and deletes it again; the local save breaks liaison_info's unique phone. */
    private static Response compensatedSaga(String name, String username, String phone) {
        tt().register(addUser(username + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        execute("insert into liaison_info (id, name, phone, username, remote_user_id) values (nextval('liaison_info_seq'), 'Someone Else', ?, ?, 'tt-other')",
                phone, "someoneelse" + phone);
        Response answer = startUserSync(name, phone, 10);
        answer.then().statusCode(409).body("status", equalTo("COMPENSATED"));
        return answer;
    }

    /** The saga's spans (those naming it), once its root span is exported, in the order they started. */
    private List<SpanData> sagaSpans(String traceId, int expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> inTrace(traceId).stream()
                .filter(s -> s.getAttributes().get(SagaTracing.SAGA_ID) != null).count() >= expected);
        return inTrace(traceId).stream().filter(s -> s.getAttributes().get(SagaTracing.SAGA_ID) != null)
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    private List<SpanData> inTrace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    @Test
    void aCompensatedSagaIsOneTraceWithASpanPerAttemptInOrder() {
        // given a saga whose local save fails after TT created the user
        String phone = uniquePhone();

        // when it runs and is compensated
        String sagaId = compensatedSaga("吴九", "wujiu", phone).path("sagaId");

        // then the API names its trace
        String traceId = saga(sagaId).then().extract().path("traceId");
        assertNotNull(traceId, "the saga's detail shows its trace id");
        // and the trace holds its root span and one span per attempt, in the order they were made, the check that the
        // delete took (user-sync's verify:) traced like any other attempt
        List<SpanData> sagaSpans = sagaSpans(traceId, 5);
        assertEquals(List.of("saga user-sync", "tt-add-user forward", "save-liaison forward", "tt-add-user compensation",
                        "tt-add-user verify"), sagaSpans.stream().map(SpanData::getName).toList());
        SpanData root = sagaSpans.get(0);
        int version = saga(sagaId).then().extract().path("definitionVersion");
        for (SpanData attempt : sagaSpans.subList(1, 5)) {
            assertEquals(root.getSpanId(), attempt.getParentSpanId(), attempt.getName() + " is a child of the saga's root span");
            assertEquals(sagaId, attempt.getAttributes().get(SagaTracing.SAGA_ID));
            assertEquals("user-sync", attempt.getAttributes().get(SagaTracing.DEFINITION));
            assertEquals(version, attempt.getAttributes().get(SagaTracing.DEFINITION_VERSION).intValue());
            assertEquals("wujiu" + phone, attempt.getAttributes().get(SagaTracing.BUSINESS_KEY));
        }
        int compensationAttempt = saga(sagaId).then().extract().path("steps[0].attempts[1].attempt");
        int checkAttempt = saga(sagaId).then().extract().path("steps[0].attempts[2].attempt");
        assertEquals(Map.of("tt-add-user forward", "forward/1/SUCCEEDED/-", "save-liaison forward", "forward/1/REJECTED/RejectedFailure",
                        "tt-add-user compensation", "compensation/" + compensationAttempt + "/SUCCEEDED/-",
                        "tt-add-user verify", "verify/" + checkAttempt + "/SUCCEEDED/-"),
                sagaSpans.subList(1, 5).stream().collect(Collectors.toMap(SpanData::getName, s -> s.getAttributes().get(SagaTracing.DIRECTION)
                        + "/" + s.getAttributes().get(SagaTracing.ATTEMPT)
                        + "/" + s.getAttributes().get(SagaTracing.OUTCOME) + "/"
                        + (s.getAttributes().get(SagaTracing.FAILURE_KIND) == null ? "-" : s.getAttributes().get(SagaTracing.FAILURE_KIND)))));
        assertEquals("COMPENSATED", root.getAttributes().get(SagaTracing.STATUS));
        // and no span carries the saga's input: the name the user gave is in none of them
        assertTrue(inTrace(traceId).stream().noneMatch(s -> s.getAttributes().asMap().values().stream()
                .anyMatch(v -> String.valueOf(v).contains("吴九"))), "no span holds the user's name");
    }

    @Test
    void theThirdPartyReceivesTheTraceparentOfItsAttempt() {
        // given a saga that calls TT twice: the add, and the compensating delete
        String phone = uniquePhone();

        // when it runs
        String sagaId = compensatedSaga("郑十", "zhengshi", phone).path("sagaId");

        // then TT's add request carried a traceparent of the saga's trace, sent from within the add's attempt span
        String traceId = saga(sagaId).then().extract().path("traceId");
        List<LoggedRequest> adds = tt().find(postRequestedFor(urlEqualTo("/users"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("zhengshi" + phone)));
        assertEquals(1, adds.size());
        String traceparent = adds.get(0).getHeader("traceparent");
        assertNotNull(traceparent, "TT received a traceparent");
        String[] parts = traceparent.split("-");
        assertEquals(traceId, parts[1], "the traceparent continues the saga's trace");
        SpanData attempt = sagaSpans(traceId, 4).get(1);
        assertEquals("tt-add-user forward", attempt.getName());
        Map<String, SpanData> byId = inTrace(traceId).stream().collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
        SpanData sender = byId.get(parts[2]);
        assertNotNull(sender, "the span that sent it is in the trace");
        // the REST client's own span when Quarkus instruments the client, else the attempt itself
        assertTrue(sender == attempt || attempt.getSpanId().equals(sender.getParentSpanId()),
                "the request was sent within the attempt's span, but by " + sender.getName());
    }

    @Test
    void aStartRequestCarryingATraceparentContinuesThatTrace() {
        // given a caller in a trace of its own
        String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String phone = uniquePhone();
        tt().register(addUser("qianyi" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));

        // when it starts a saga sending its traceparent
        String sagaId = as("client").contentType("application/json").header("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01")
                .body("{\"name\":\"钱一\",\"phone\":\"" + phone + "\",\"roleIds\":[3]}")
                .post("/api/sagas/user-sync?wait=10").then().statusCode(200).extract().path("sagaId");

        // then the saga is part of the caller's trace
        saga(sagaId).then().body("traceId", equalTo(callerTrace));
        assertEquals("saga user-sync", sagaSpans(callerTrace, 3).get(0).getName());
    }
}
