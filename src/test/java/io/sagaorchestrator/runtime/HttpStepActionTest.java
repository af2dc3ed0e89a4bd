package io.sagaorchestrator.runtime;

import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.definitions.HttpCallDoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.OwnershipPolicy;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a declared call is built from a saga's values, and what it refuses to build. */
class HttpStepActionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UUID SAGA = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final WireMockServer SHOP = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

    @BeforeAll
    static void startShop() {
        SHOP.start();
    }

    @AfterAll
    static void stopShop() {
        SHOP.stop();
    }

    @BeforeEach
    void forgetEarlierAnswers() {
        SHOP.resetAll();
    }

    /** Every request to the shop gets this status. */
    private static String shopAnswering(int status) {
        SHOP.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withBody("{\"error\":\"no such reservation\"}")));
        return "http://127.0.0.1:" + SHOP.port();
    }

    private static HttpCall call(String yaml) throws Exception {
        HttpCallDoc doc = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readValue(yaml, HttpCallDoc.class);
        return HttpCall.parse(doc, new HttpCall.Scope(new LinkedHashMap<>(Map.of("reserve", Set.of("reservationId"))), true,
                Set.of("chargeId")));
    }

    private static HttpStepAction action(HttpCall call, boolean compensation, String baseUrl, Map<String, String> secrets) {
        return new HttpStepAction(call, compensation, baseUrl, secrets, Duration.ofSeconds(1), HttpClient.newHttpClient(), JSON);
    }

    private static StepContext context(String input, JsonNode forwardOutput) throws Exception {
        return new StepContext(SAGA, "charge", 1, JSON.readTree(input), Map.of("reserve", JSON.readTree("{\"reservationId\":7}")),
                forwardOutput, false, OwnershipPolicy.ESCALATE);
    }

    @Test
    void pathValuesAreEncodedPerSegmentAndAWholeReferenceKeepsItsJsonType() throws Exception {
        // given a call whose path and body read the input and an earlier step's output
        HttpCall call = call("""
                { method: POST, target: shop, path: "/items/${input.sku}/charges",
                  body: { reservation: "${steps.reserve.output.reservationId}", lines: "${input.lines}", note: "for ${input.sku}" } }
                """);

        // when its request is described for a sku with a slash and a space
        JsonNode request = action(call, false, "http://shop", Map.of())
                .describeRequest(context("{\"sku\":\"a/b c\",\"lines\":[1,2]}", null));

        // then the value is one path segment, the number and the array stay JSON, and the text is text
        assertEquals("/items/a%2Fb%20c/charges", request.get("path").asText());
        assertEquals(JSON.readTree("{\"reservation\":7,\"lines\":[1,2],\"note\":\"for a/b c\"}"), request.get("body"));
        assertEquals(SAGA + ":charge", request.at("/headers/Idempotency-Key").asText());
    }

    @Test
    void aMissingSecretOrUrlIsNeverSentWithout() throws Exception {
        // given a call that sends a secret, when the secret or the target's URL is not configured
        HttpCall call = call("{ method: POST, target: shop, path: /charges, headers: { Authorization: \"Bearer ${secret.shop-token}\" } }");
        UnavailableFailure noSecret = assertThrows(UnavailableFailure.class,
                () -> action(call, false, "http://127.0.0.1:1", Map.of()).execute(context("{}", null)));
        UnavailableFailure noUrl = assertThrows(UnavailableFailure.class,
                () -> action(call, false, null, Map.of("saga.secret.shop-token", "t0k3n")).execute(context("{}", null)));

        // then the attempt certainly did nothing, and says which setting to make
        assertTrue(noSecret.getMessage().contains("saga.secret.shop-token is not configured (set SAGA_SECRET_SHOP_TOKEN)"),
                noSecret.getMessage());
        assertTrue(noUrl.getMessage().contains("saga.http.shop.url is not configured"), noUrl.getMessage());
    }

    @Test
    void aValueTheSagaDoesNotHaveIsARejectionForwardAndARepairInACompensation() throws Exception {
        // given a refund that reads the charge's id, and a charge that reads the input
        HttpCall refund = call("{ method: POST, target: shop, path: \"/charges/${forward.output.chargeId}/refund\" }");
        HttpCall charge = call("{ method: POST, target: shop, path: /charges, body: { amount: \"${input.amount}\" } }");

        // when the charge's id was never learned, or the input lacks the amount
        ManualRepairRequired inDoubt = assertThrows(ManualRepairRequired.class,
                () -> action(refund, true, "http://shop", Map.of()).describeRequest(context("{}", null)));
        ManualRepairRequired noId = assertThrows(ManualRepairRequired.class,
                () -> action(refund, true, "http://shop", Map.of()).describeRequest(context("{}", JSON.readTree("{\"httpStatus\":200}"))));
        RejectedFailure noAmount = assertThrows(RejectedFailure.class,
                () -> action(charge, false, "http://shop", Map.of()).describeRequest(context("{}", null)));

        // then nothing is guessed: the compensation asks a person, the forward call is refused
        assertTrue(inDoubt.getMessage().contains("${forward.output.chargeId}") && inDoubt.getMessage().contains("never learned"),
                inDoubt.getMessage());
        assertTrue(noId.getMessage().contains("${forward.output.chargeId} has no value"), noId.getMessage());
        assertTrue(noAmount.getMessage().contains("${input.amount} has no value"), noAmount.getMessage());
    }

    @Test
    void aCompensatingDeleteThatFindsNothingToDeleteHasUndoneTheStep() throws Exception {
        // given a release of a reservation, and a shop that answers 404 or 410: the reservation is not there (any more)
        HttpCall release = call("{ method: DELETE, target: shop, path: \"/reservations/${forward.output.chargeId}\" }");
        JsonNode forward = JSON.readTree("{\"chargeId\":\"r-1\"}");

        for (int status : new int[] {404, 410}) {
            // when the compensation is sent
            JsonNode output = action(release, true, shopAnswering(status), Map.of()).execute(context("{}", forward));

            // then it succeeded: DELETE is idempotent, what it should remove is gone
            assertEquals(status, output.get("httpStatus").asInt(), output.toString());
        }
    }

    @Test
    void aNotFoundIsStillARejectionForAForwardDeleteAnUndoOfAnotherMethodAndAnUndoThatSaysSo() throws Exception {
        // given a forward DELETE, a compensating POST, and a compensating DELETE whose definition maps 404 itself
        HttpCall delete = call("{ method: DELETE, target: shop, path: /reservations/r-1 }");
        HttpCall refund = call("{ method: POST, target: shop, path: /charges/c-1/refund }");
        HttpCall strictRelease = call("{ method: DELETE, target: shop, path: /reservations/r-1, outcomes: { \"404\": rejected } }");
        HttpCall unsureRelease = call("{ method: DELETE, target: shop, path: /reservations/r-1, outcomes: { \"4xx\": unknown } }");
        String shop = shopAnswering(404);
        JsonNode forward = JSON.readTree("{\"chargeId\":\"c-1\"}");

        // when each gets a 404, then only the default of a compensating DELETE changes: each of these keeps its meaning
        assertThrows(RejectedFailure.class, () -> action(delete, false, shop, Map.of()).execute(context("{}", null)));
        assertThrows(RejectedFailure.class, () -> action(refund, true, shop, Map.of()).execute(context("{}", forward)));
        assertThrows(RejectedFailure.class, () -> action(strictRelease, true, shop, Map.of()).execute(context("{}", forward)));
        assertThrows(UnknownOutcomeFailure.class, () -> action(unsureRelease, true, shop, Map.of()).execute(context("{}", forward)));
    }

    @Test
    void aFailedCallNamesThePathItSentNotTheTemplate() throws Exception {
        // given a release whose path reads the reserved id, and a shop that fails it
        HttpCall release = call("{ method: DELETE, target: shop, path: \"/reservations/${forward.output.chargeId}\","
                + " headers: { X-Api-Key: \"${secret.shop-token}\" } }");
        JsonNode forward = JSON.readTree("{\"chargeId\":\"r-77\"}");

        // when the shop answers 503, or nobody listens
        UnknownOutcomeFailure failed = assertThrows(UnknownOutcomeFailure.class, () -> action(release, true, shopAnswering(503),
                Map.of("saga.secret.shop-token", "t0k3n")).execute(context("{}", forward)));
        UnavailableFailure refused = assertThrows(UnavailableFailure.class, () -> action(release, true, "http://127.0.0.1:1",
                Map.of("saga.secret.shop-token", "t0k3n")).execute(context("{}", forward)));

        // then each error names the resolved path (what an operator looks up at the shop), and never the secret
        for (RuntimeException e : new RuntimeException[] {failed, refused}) {
            assertTrue(e.getMessage().startsWith("DELETE shop /reservations/r-77 "), e.getMessage());
            assertFalse(e.getMessage().contains("${"), e.getMessage());
            assertFalse(e.getMessage().contains("t0k3n"), e.getMessage());
        }
    }
}
