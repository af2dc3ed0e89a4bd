package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A step's {@code when:} in the running engine (test definition {@code conditional-shop-test}, against the WireMock
 * double): a false condition skips the step, records it, and its compensation is never sent.
 */
@QuarkusTest
class StepsWithAConditionRunTest {

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

    private SagaSnapshot run(String sku, double amount) throws Exception {
        JsonNode input = json.valueToTree(Map.of("sku", sku, "amount", amount));
        return engine.start(definitions.current("conditional-shop-test").orElseThrow(), input, sku, "conditions-test", null,
                Duration.ofSeconds(5)).ended().get(30, TimeUnit.SECONDS);
    }

    private static ResponseDefinitionBuilder answer(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("{\"id\":\"x-1\"}");
    }

    @Test
    void anOrderWithNothingToPayIsNotChargedAndTheSkipIsRecorded() throws Exception {
        // given the shop reserves and confirms
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer(201)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(answer(201)));

        // when a saga of amount 0 runs
        SagaSnapshot ended = run(sku, 0);

        // then it completes without a charge; charge is recorded as skipped with the value its condition had
        assertEquals(SagaStatus.COMPLETED, ended.status());
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/charges")));
        assertEquals(Effect.SKIPPED, ended.stepState("charge").effect());
        saga(ended.id().toString()).then().statusCode(200)
                .body("steps.find { it.name == 'charge' }.effect", equalTo("SKIPPED"))
                .body("steps.find { it.name == 'charge' }.output.when", equalTo("input.amount > 0"))
                .body("steps.find { it.name == 'charge' }.output.value", equalTo(false));
    }

    @Test
    void aSkippedStepIsNotUndoneWhenALaterStepFails() throws Exception {
        // given the shop refuses the confirmation
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer(201)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(answer(409)));
        tt().register(delete(urlMatching("/shop/reservations/.*")).willReturn(answer(204)));

        // when a saga of amount 0 runs
        SagaSnapshot ended = run(sku, 0);

        // then the reservation is released, and no refund of the charge that never happened is sent
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        // the key is a path segment, so its colon is sent escaped
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/reservations/" + ended.id() + "%3Areserve")));
        tt().verifyThat(0, postRequestedFor(urlMatching("/shop/charges/.*/refund")));
    }

    @Test
    void anOrderToPayIsCharged() throws Exception {
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer(201)));
        tt().register(post(urlEqualTo("/shop/charges")).willReturn(answer(201)));
        tt().register(post(urlEqualTo("/shop/confirmations/" + sku)).willReturn(answer(201)));

        SagaSnapshot ended = run(sku, 12.5);

        assertEquals(SagaStatus.COMPLETED, ended.status());
        assertEquals(Effect.DONE, ended.stepState("charge").effect());
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/charges")));
    }

    @Test
    void aConditionThatCannotBeToldFailsItsStepAndUndoesWhatRan() throws Exception {
        // given an order without the amount the condition reads
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer(201)));
        tt().register(delete(urlMatching("/shop/reservations/.*")).willReturn(answer(204)));
        JsonNode input = json.valueToTree(Map.of("sku", sku));

        // when the saga runs
        SagaSnapshot ended = engine.start(definitions.current("conditional-shop-test").orElseThrow(), input, sku, "conditions-test",
                null, Duration.ofSeconds(5)).ended().get(30, TimeUnit.SECONDS);

        // then charge never ran, the reservation is released, and the saga says why
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/shop/charges")));
        tt().verifyThat(1, deleteRequestedFor(urlMatching("/shop/reservations/.*")));
        assertTrue(ended.lastError().startsWith("charge: its condition cannot be told"),
                ended.lastError());
    }
}
