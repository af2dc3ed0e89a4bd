package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Declared calls (test definitions {@code http-shop-test} and {@code http-closed-test}) against the WireMock double:
 * what each kind of answer means for the saga, outputs read by later steps and compensations, and secrets that reach
 * the third party and nothing else.
 */
@QuarkusTest
class HttpStepsTest {

    private static final String SECRET = "shop-key-for-the-tests-only";

    @Inject
    SagaEngine engine;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    ObjectMapper json;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            StringBuilder text = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    text.append(' ').append(p);
                }
            }
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                text.append(' ').append(t);
            }
            logged.add(text.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void freshDoubleAndLogCapture() {
        resetTt();
        Logger.getLogger("").addHandler(logCapture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("").removeHandler(logCapture);
    }

    private SagaSnapshot run(String definition, String sku) throws Exception {
        JsonNode input = json.valueToTree(Map.of("sku", sku, "quantity", 2, "order", "o-" + sku, "amount", 1250));
        return engine.start(definitions.current(definition).orElseThrow(), input, sku, "http-steps-test", null, Duration.ofSeconds(5))
                .ended().get(30, TimeUnit.SECONDS);
    }

    private static String sku() {
        return "sku-" + UUID.randomUUID();
    }

    private static void reserveAnswers(String sku, ResponseDefinitionBuilder answer) {
        tt().register(post(urlEqualTo("/shop/reservations/" + sku)).willReturn(answer));
    }

    private static void chargeAnswers(String reservationId, ResponseDefinitionBuilder answer) {
        tt().register(post(urlEqualTo("/shop/charges")).withRequestBody(matchingJsonPath("$.reservation", equalTo(reservationId)))
                .willReturn(answer));
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static long reserveAttempts(UUID sagaId, String outcome, String errorClass) {
        return count("select count(*) from saga_step_attempt where saga_id = ? and step_name = 'reserve' and direction = 'FORWARD'"
                + " and outcome = ? and error_class is not distinct from ?", sagaId, outcome, errorClass);
    }

    @Test
    void aCompletedCallSendsItsSecretAndKeyAndHandsItsOutputToTheNextStep() throws Exception {
        // given the shop reserves and charges
        String sku = sku();
        reserveAnswers(sku, json(201, "{\"id\":\"r-" + sku + "\",\"warehouse\":\"north\"}"));
        chargeAnswers("r-" + sku, json(201, "{\"charge\":{\"id\":\"c-" + sku + "\"}}"));

        // when the saga runs
        SagaSnapshot ended = run("http-shop-test", sku);

        // then it completes; the reservation went out with the secret, the idempotency key and a typed body
        assertEquals(SagaStatus.COMPLETED, ended.status());
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/reservations/" + sku))
                .withHeader("X-Api-Key", equalTo(SECRET))
                .withHeader("Idempotency-Key", equalTo(ended.id() + ":reserve"))
                .withHeader("X-Order", equalTo("order o-" + sku))
                .withRequestBody(equalToJson("{\"sku\":\"" + sku + "\",\"quantity\":2,\"saga\":\"" + ended.id()
                        + "\",\"note\":\"2 items\"}")));
        // ...the charge named the reservation the first call extracted, and each step keeps only its declared output
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/charges"))
                .withRequestBody(equalToJson("{\"reservation\":\"r-" + sku + "\",\"amount\":1250}")));
        assertEquals(json.readTree("{\"httpStatus\":201,\"reservationId\":\"r-" + sku + "\"}"), ended.stepState("reserve").output());
        assertEquals(json.readTree("{\"httpStatus\":201,\"chargeId\":\"c-" + sku + "\"}"), ended.stepState("charge").output());

        // ...and the secret is in no attempt and no answer of the API; the attempt shows where it was
        assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ? and concat(request::text, response::text,"
                + " error_message) like ?", ended.id(), "%" + SECRET + "%"));
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and step_name = 'reserve'"
                + " and request -> 'headers' ->> 'X-Api-Key' = '[secret]' and request ->> 'path' = ?", ended.id(), "/reservations/" + sku));
        String view = saga(ended.id().toString()).then().statusCode(200).extract().asString();
        assertTrue(view.contains("r-" + sku), view);
        assertFalse(view.contains(SECRET), view);
    }

    @Test
    void aRejectionWhoseBodyEchoesTheSecretKeepsItOutOfTheSagaLogTheApiAndTheLogs() throws Exception {
        // given a shop that refuses the reservation and repeats the key it was sent in its answer
        String sku = sku();
        reserveAnswers(sku, json(409, "{\"error\":\"key " + SECRET + " may not reserve\"}"));

        // when the saga runs
        SagaSnapshot ended = run("http-shop-test", sku);

        // then the rejection is kept and logged with the key blanked out, and the key is nowhere else
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and error_message like ?", ended.id(),
                "%key [secret] may not reserve%"));
        assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ? and concat(request::text, response::text,"
                + " error_message) like ?", ended.id(), "%" + SECRET + "%"));
        String view = saga(ended.id().toString()).then().statusCode(200).extract().asString();
        assertTrue(view.contains("may not reserve"), view);
        assertFalse(view.contains(SECRET), view);
        assertTrue(logged.stream().anyMatch(line -> line.contains("key [secret] may not reserve")), logged.toString());
        assertTrue(logged.stream().noneMatch(line -> line.contains(SECRET)), logged.toString());
    }

    @Test
    void aRejectedChargeIsUndoneWithTheOutputsOfBothCalls() throws Exception {
        // given the shop reserves, then declines the charge, and releases the reservation
        String sku = sku();
        reserveAnswers(sku, json(201, "{\"id\":\"r-" + sku + "\"}"));
        chargeAnswers("r-" + sku, json(402, "{\"error\":\"card declined\"}"));
        tt().register(delete(urlEqualTo("/shop/reservations/r-" + sku)).willReturn(aResponse().withStatus(204)));

        // when the saga runs
        SagaSnapshot ended = run("http-shop-test", sku);

        // then the charge counts as rejected, and the reservation is released by the id its forward call extracted
        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and step_name = 'charge' and outcome = 'REJECTED'"
                + " and error_message like '%HTTP 402%card declined%'", ended.id()));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/shop/reservations/r-" + sku))
                .withHeader("Idempotency-Key", equalTo(ended.id() + ":reserve")));
    }

    @Test
    void aReleaseThatFindsTheReservationGoneEndsTheSagaCompensatedNotEscalated() throws Exception {
        // given the shop reserves, then declines the charge, and has no such reservation any more when it is released
        // (as when an earlier release went through and only its answer was lost)
        String sku = sku();
        reserveAnswers(sku, json(201, "{\"id\":\"r-" + sku + "\"}"));
        chargeAnswers("r-" + sku, json(402, "{\"error\":\"card declined\"}"));
        tt().register(delete(urlEqualTo("/shop/reservations/r-" + sku)).willReturn(json(404, "{\"error\":\"no such reservation\"}")));

        // when the saga runs
        SagaSnapshot ended = run("http-shop-test", sku);

        // then the undo counts as done: the saga is compensated, and nobody is called out for a reservation that is gone
        assertEquals(SagaStatus.COMPENSATED, ended.status(), ended.lastError());
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and step_name = 'reserve'"
                + " and direction = 'COMPENSATION' and outcome = 'SUCCEEDED' and (response ->> 'httpStatus')::int = 404", ended.id()));
    }

    @Test
    void aClientErrorIsARejectionAndNothingIsUndone() throws Exception {
        String sku = sku();
        reserveAnswers(sku, json(400, "{\"error\":\"no such sku\"}"));

        SagaSnapshot ended = run("http-shop-test", sku);

        assertEquals(SagaStatus.COMPENSATED, ended.status());
        assertEquals(1, reserveAttempts(ended.id(), "REJECTED", "RejectedFailure"));
        tt().verifyThat(0, deleteRequestedFor(urlEqualTo("/shop/reservations/r-" + sku)));
    }

    @Test
    void aServerErrorLeavesTheOutcomeUnknownAndACompensationThatNeedsItsOutputEscalates() throws Exception {
        String sku = sku();
        reserveAnswers(sku, json(503, "{}"));

        SagaSnapshot ended = run("http-shop-test", sku);

        // then the reservation may exist, but its id was never learned: a person must look, nothing is guessed
        assertEquals(1, reserveAttempts(ended.id(), "UNKNOWN", "UnknownOutcomeFailure"));
        assertEquals(SagaStatus.ESCALATED, ended.status());
        assertTrue(ended.lastError().contains("${forward.output.reservationId}") && ended.lastError().contains("never learned"),
                ended.lastError());
    }

    @Test
    void aTimeoutLeavesTheOutcomeUnknown() throws Exception {
        String sku = sku();
        reserveAnswers(sku, json(201, "{\"id\":\"late\"}").withFixedDelay(3000));

        SagaSnapshot ended = run("http-shop-test", sku);

        assertEquals(1, reserveAttempts(ended.id(), "UNKNOWN", "UnknownOutcomeFailure"));
        assertEquals(SagaStatus.ESCALATED, ended.status());
    }

    @Test
    void aDroppedConnectionLeavesTheOutcomeUnknown() throws Exception {
        String sku = sku();
        reserveAnswers(sku, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        SagaSnapshot ended = run("http-shop-test", sku);

        assertEquals(1, reserveAttempts(ended.id(), "UNKNOWN", "UnknownOutcomeFailure"));
    }

    @Test
    void aRefusedConnectionIsUnavailableAndNothingIsUndone() throws Exception {
        // given a target on a port nobody listens on, when its saga runs
        SagaSnapshot ended = run("http-closed-test", sku());

        // then the call certainly did nothing: the attempt failed as unavailable and the saga ends with nothing to undo
        assertEquals(1, reserveAttempts(ended.id(), "FAILED", "UnavailableFailure"));
        assertEquals(SagaStatus.COMPENSATED, ended.status());
    }

    @Test
    void aStatusTheStepListsMeansWhatItSays() throws Exception {
        // given a 404 the step counts as success, a 409 as a rejection and a 418 as unavailable
        String found = sku();
        String conflict = sku();
        String teapot = sku();
        reserveAnswers(found, json(404, "{\"id\":\"r-" + found + "\"}"));
        chargeAnswers("r-" + found, json(200, "{\"charge\":{\"id\":\"c\"}}"));
        reserveAnswers(conflict, json(409, "{}"));
        reserveAnswers(teapot, json(418, "{}"));

        // when their sagas run, then each answer means what the step lists for it
        SagaSnapshot succeeded = run("http-shop-test", found);
        assertEquals(SagaStatus.COMPLETED, succeeded.status());
        assertEquals(404, succeeded.stepState("reserve").output().get("httpStatus").asInt());
        assertEquals(1, reserveAttempts(run("http-shop-test", conflict).id(), "REJECTED", "RejectedFailure"));
        assertEquals(1, reserveAttempts(run("http-shop-test", teapot).id(), "FAILED", "UnavailableFailure"));
    }

    @Test
    void aBodyFieldTheStepListsDecidesTheOutcome() throws Exception {
        // given a 200 whose body says the reservation exists already, and one whose body says the stock is full
        String exists = sku();
        String full = sku();
        reserveAnswers(exists, json(200, "{\"status\":\"EXISTS\",\"id\":\"r-" + exists + "\"}"));
        chargeAnswers("r-" + exists, json(200, "{\"charge\":{\"id\":\"c\"}}"));
        reserveAnswers(full, json(200, "{\"status\":\"FULL\"}"));

        // when their sagas run
        SagaSnapshot existing = run("http-shop-test", exists);
        SagaSnapshot rejected = run("http-shop-test", full);

        // then EXISTS succeeds with the existing id, and FULL is a rejection although the status was 200
        assertEquals(SagaStatus.COMPLETED, existing.status());
        assertEquals("r-" + exists, existing.stepState("reserve").output().get("reservationId").asText());
        assertEquals(1, reserveAttempts(rejected.id(), "REJECTED", "RejectedFailure"));
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ? and error_message like '%/status = FULL%'",
                rejected.id()));
        assertEquals(SagaStatus.COMPENSATED, rejected.status());
    }

    @Test
    void aSagaOfAnEarlierContentKeptOnlyInTheLogRunsItsDeclaredCalls() throws Exception {
        // given a saga an instance that died left at its first step, started on a content of the definition that only
        // the saga log still has (its reservations went to another path)
        String sku = sku();
        SagaDefinition current = definitions.current("http-shop-test").orElseThrow();
        String earlier = current.source().replace("path: /reservations/${input.sku}", "path: /old-reservations/${input.sku}");
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(earlier.getBytes(StandardCharsets.UTF_8)));
        execute("insert into saga_definition (name, version, hash, content) values ('http-shop-test', 1, ?, ?)", hash, earlier);
        UUID sagaId = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                        + " step_index, attempt, step_states, owner, wake_at, version) values (?, 'http-shop-test', 1, ?, 'RUNNING', ?,"
                        + " cast(? as jsonb), 0, 0, '{}', 'instance-that-died', now() - interval '1 second', 1)",
                sagaId, hash, sku, "{\"sku\":\"" + sku + "\",\"quantity\":1,\"order\":\"o\",\"amount\":5}");
        tt().register(post(urlEqualTo("/shop/old-reservations/" + sku)).willReturn(json(201, "{\"id\":\"r-" + sku + "\"}")));
        chargeAnswers("r-" + sku, json(201, "{\"charge\":{\"id\":\"c\"}}"));

        // when recovery takes it over, then it completes with the calls of the content it started on
        awaitStatus(sagaId.toString(), "COMPLETED");
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/old-reservations/" + sku)).withHeader("X-Api-Key", equalTo(SECRET)));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/shop/charges")).withRequestBody(matchingJsonPath("$.reservation",
                equalTo("r-" + sku))));
    }
}
