package io.sagaorchestrator.scenarios;

import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A scenario file is read against the shipped definitions, without Quarkus: what it means, and what a bad one says. */
class ScenarioTest {

    private static final Map<String, SagaDefinition> SHIPPED = new HashMap<>();

    @BeforeAll
    static void readShippedDefinitions() throws IOException {
        DefinitionParser parser = new DefinitionParser(NamedActions.SHIPPED);
        for (Path dir : List.of(Path.of("saga-definitions"), Path.of("saga-definitions", "examples"))) {
            try (var files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                    SagaDefinition d = parser.parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
                    SHIPPED.put(d.name(), d);
                }
            }
        }
    }

    private static Scenario parse(String yaml) {
        return Scenario.parse("bad.yaml", yaml, name -> Optional.ofNullable(SHIPPED.get(name)));
    }

    private static String problem(String yaml) {
        return assertThrows(Scenario.InvalidScenarioException.class, () -> parse(yaml)).getMessage();
    }

    private static final String CHECKOUT = """
            saga: order-checkout
            input: { sku: "A-${unique}", quantity: 2, amount: 30.00, currency: EUR }
            thirdParties:
              payments:
                "POST /charges": [ { lose: answer }, { status: 201, body: { id: ch_1 } } ]
                "POST /charges/{key}/refund": { status: 200 }
            """;

    @Test
    void aScenarioReadsAsItsScriptsAndExpectations() {
        Scenario s = parse(CHECKOUT + """
                killAfter: { step: charge-payment, point: intent }
                expect:
                  status: COMPLETED
                  calls: [ "POST payments /charges", "POST  payments  /charges" ]
                  steps: { charge-payment: DONE }
                """);
        assertEquals("order-checkout", s.saga());
        Scenario.Route charges = s.thirdParties().get("payments").get(0);
        assertInstanceOf(Scenario.LoseAnswer.class, charges.answers().get(0));
        assertEquals(new Scenario.Respond(201, charges.answers().get(1) instanceof Scenario.Respond r ? r.body() : null),
                charges.answers().get(1));
        assertTrue("/charges/ch_1:charge-payment/refund".matches(s.thirdParties().get("payments").get(1).pathRegex()));
        assertEquals(new Scenario.Kill("charge-payment", Scenario.Point.INTENT), s.killAfter());
        assertEquals(List.of(List.of("POST payments /charges"), List.of("POST payments /charges")), s.expect().calls());
        assertEquals("A-1234", s.inputFor("1234").get("sku").asText());
    }

    @Test
    void everyShippedScenarioReads() throws IOException {
        for (Path file : ShippedScenariosTest.files()) {
            Scenario.parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8),
                    name -> Optional.ofNullable(SHIPPED.get(name)));
        }
    }

    @Test
    void theDocsShowAShippedScenarioAsItIs() throws IOException {
        String docs = Files.readString(Path.of("docs", "writing-sagas.md"), StandardCharsets.UTF_8);
        String file = Files.readString(Path.of("saga-definitions", "tests", "user-sync-add-answer-lost.yaml"), StandardCharsets.UTF_8);
        assertTrue(docs.contains("```yaml\n" + file + "```\n"),
                "docs/writing-sagas.md shows saga-definitions/tests/user-sync-add-answer-lost.yaml otherwise than it is: copy it again");
    }

    @Test
    void anUnknownSagaIsNamed() {
        assertEquals("bad.yaml: unknown saga 'order-chekout': no definition of that name is loaded",
                problem("saga: order-chekout\ninput: {}\nexpect: { status: COMPLETED }\n"));
    }

    @Test
    void anUnknownStepInKillAfterIsNamedWithTheSagasSteps() {
        assertEquals("bad.yaml: unknown step 'charge' in killAfter: saga order-checkout has reserve-stock, charge-payment",
                problem(CHECKOUT + "killAfter: { step: charge, point: intent }\nexpect: { status: COMPLETED }\n"));
    }

    @Test
    void anUnknownPointIsNamed() {
        assertTrue(problem(CHECKOUT + "killAfter: { step: charge-payment, point: commit }\nexpect: { status: COMPLETED }\n")
                .startsWith("bad.yaml: unknown point 'commit' in killAfter: intent"));
    }

    @Test
    void aRemoteStepHasNoLocalCommitToBeKilledAfter() {
        assertEquals("bad.yaml: killAfter: step charge-payment calls a third party, it has no local commit; use point intent",
                problem(CHECKOUT + "killAfter: { step: charge-payment, point: local-commit }\nexpect: { status: COMPLETED }\n"));
    }

    @Test
    void anAnswerThatIsNeitherAnAnswerNorALostOneIsRefused() {
        String problem = problem("""
                saga: order-checkout
                input: {}
                thirdParties:
                  payments:
                    "POST /charges": [ { lose: response } ]
                expect: { status: COMPLETED }
                """);
        assertTrue(problem.startsWith("bad.yaml: payments \"POST /charges\" answer 1: neither an answer"), problem);
        assertTrue(problem("""
                saga: order-checkout
                input: {}
                thirdParties:
                  payments:
                    "POST /charges": { status: 201, bdy: {} }
                expect: { status: COMPLETED }
                """).contains("neither an answer ({ status: 201, body: {...} }) nor { lose: answer }"));
    }

    @Test
    void aThirdPartyTheSagaDoesNotCallIsNamed() {
        assertEquals("bad.yaml: unknown third party 'crm-api': saga order-checkout calls inventory, payments",
                problem("saga: order-checkout\ninput: {}\nthirdParties:\n  crm-api:\n    \"POST /x\": { status: 200 }\n"
                        + "expect: { status: COMPLETED }\n"));
    }

    @Test
    void theExpectedStatusMustBeOneASagaEndsWith() {
        assertTrue(problem(CHECKOUT + "expect: { status: RUNNING }\n").startsWith("bad.yaml: expect.status 'RUNNING' is not a status"));
        assertEquals("bad.yaml: expect is missing: at least expect.status", problem(CHECKOUT));
    }

    @Test
    void aRouteIsMethodAndPath() {
        assertTrue(problem("saga: order-checkout\ninput: {}\nthirdParties:\n  payments:\n    \"/charges\": { status: 200 }\n"
                + "expect: { status: COMPLETED }\n").startsWith("bad.yaml: payments: route '/charges' must be \"METHOD /path\""));
    }

    private static final String APPROVAL = """
            saga: order-approval
            input: { sku: "A-${unique}", quantity: 1, amount: 120.00, currency: EUR }
            thirdParties:
              inventory:
                "POST /reservations": { status: 201, body: { id: r_1 } }
            expect: { status: COMPENSATED }
            """;

    @Test
    void anAwaitBlockReadsAsTheSignalItsPayloadAndWhenItIsSent() {
        Scenario s = parse(APPROVAL + """
                await: { signal: approval, send: { approved: true }, down: true }
                killAfter: { step: manager-approval, point: waiting }
                """);
        assertEquals("approval", s.await().signal());
        assertTrue(s.await().send().get("approved").asBoolean());
        assertTrue(s.await().down());
        assertEquals(new Scenario.Kill("manager-approval", Scenario.Point.WAITING), s.killAfter());
    }

    @Test
    void anAwaitBlockThatCannotMeanAnythingSaysWhy() {
        assertTrue(problem(APPROVAL + "await: { signal: payment }").contains("waits for no such signal"));
        assertTrue(problem(APPROVAL + "await: { signal: approval, early: true }").contains("await.send gives none"));
        assertTrue(problem(APPROVAL + "killAfter: { step: reserve-stock, point: waiting }").contains("is no await"));
        assertTrue(problem(APPROVAL + "killAfter: { step: manager-approval, point: intent }").contains("use point waiting"));
    }

    private static final String FULFILMENT = """
            saga: order-fulfilment
            input: { sku: "A-${unique}", quantity: 1, amount: 30.00, currency: EUR }
            thirdParties:
              inventory:
                "POST /reservations": { status: 201, body: { id: r_1 } }
                "DELETE /reservations/{key}": { status: 204 }
              payments:
                "POST /charges": { status: 402 }
              shipping:
                "POST /shipments": { status: 201, body: { id: s_1 } }
                "DELETE /shipments/{key}": { status: 204 }
            expect:
              status: COMPENSATED
              calls: [ [ "POST inventory /reservations", "POST payments /charges", "POST shipping /shipments" ],
                       "DELETE shipping /shipments/{key}", "DELETE inventory /reservations/{key}" ]
            """;

    /** A call as received ({@code "DELETE shipping /shipments/k"}), answered by the route of that path template. */
    private static ScenarioRunner.Call call(String received, String route) {
        String[] parts = received.split(" ");
        return new ScenarioRunner.Call(parts[0], parts[1], parts[2], route);
    }

    private static ScenarioRunner.Outcome compensatedWith(ScenarioRunner.Call... calls) {
        return new ScenarioRunner.Outcome(UUID.randomUUID(), "COMPENSATED", null, Map.of(), List.of(calls), List.of(), false, "{}");
    }

    private static final ScenarioRunner.Call RESERVE = call("POST inventory /reservations", "/reservations");
    private static final ScenarioRunner.Call CHARGE = call("POST payments /charges", "/charges");
    private static final ScenarioRunner.Call SHIP = call("POST shipping /shipments", "/shipments");
    private static final ScenarioRunner.Call CANCEL = call("DELETE shipping /shipments/k:book-shipment", "/shipments/{key}");
    private static final ScenarioRunner.Call RELEASE = call("DELETE inventory /reservations/k:reserve-stock", "/reservations/{key}");

    @Test
    void aListInsideCallsIsARunOfCallsInAnyOrderAndTheRunsKeepTheirOrder() {
        // given a scenario whose group's three calls go out side by side, then the undos one at a time
        Scenario s = parse(FULFILMENT);

        // when the branches' calls arrive in another order than written, or an undo comes out of its turn
        List<String> sideBySide = ScenarioRunner.mismatches(s, compensatedWith(SHIP, RESERVE, CHARGE, CANCEL, RELEASE));
        List<String> undoneOutOfTurn = ScenarioRunner.mismatches(s, compensatedWith(SHIP, RESERVE, CHARGE, RELEASE, CANCEL));

        // then the run holds in any order, the undos only in theirs, and a mismatch shows the run as the file writes it
        assertEquals(List.of(List.of("POST inventory /reservations", "POST payments /charges", "POST shipping /shipments"),
                List.of("DELETE shipping /shipments/{key}"), List.of("DELETE inventory /reservations/{key}")), s.expect().calls());
        assertEquals(List.of(), sideBySide);
        assertEquals(1, undoneOutOfTurn.size(), undoneOutOfTurn.toString());
        assertTrue(undoneOutOfTurn.get(0).contains("expected [[POST inventory /reservations, POST payments /charges,"
                + " POST shipping /shipments], DELETE shipping /shipments/{key}, DELETE inventory /reservations/{key}]"),
                undoneOutOfTurn.get(0));
    }

    @Test
    void anEmptyRunOrOneThatIsNoCallSaysWhy() {
        String base = FULFILMENT.substring(0, FULFILMENT.indexOf("  calls:"));
        assertTrue(problem(base + "  calls: [ [] ]\n").contains("an empty run of calls in any order"));
        assertTrue(problem(base + "  calls: [ [ \"POST /charges\" ] ]\n").contains("a list inside calls holds calls made in any order"));
    }
}
