package io.sagaorchestrator.definitions;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A step's declared call is read and checked with its definition: a reference that cannot resolve stops the start. */
class DeclaredCallParsingTest {

    private static final KnownActions ACTIONS = NamedActions.SHIPPED;

    private final DefinitionParser parser = new DefinitionParser(ACTIONS);

    /** An order checkout: reserve stock, then charge, each undone by a declared call. */
    private static String checkout(String reserveBody, String chargePath, String refundPath) {
        return """
                name: checkout
                version: 1
                steps:
                  - name: reserve
                    type: remote
                    http:
                      method: post
                      target: inventory
                      path: /reservations
                      headers: { X-Api-Key: "${secret.inventory-key}" }
                      body: %s
                      output: { reservationId: /id }
                      outcomes: { "409": rejected, "404": succeeded, "4XX": unknown }
                      outcomeField: { pointer: /status, values: { EXISTS: succeeded, FULL: rejected } }
                    compensation:
                      http: { method: DELETE, target: inventory, path: "/reservations/${forward.output.reservationId}" }
                  - name: charge
                    type: remote
                    http:
                      method: POST
                      target: payments
                      path: "%s"
                      output: { chargeId: /charge/id }
                    compensation:
                      http: { method: POST, target: payments, path: "%s" }
                """.formatted(reserveBody, chargePath, refundPath);
    }

    private static final String GOOD = checkout("{ sku: \"${input.sku}\", quantity: \"${input.quantity}\", order: \"${saga.id}\" }",
            "/charges/${steps.reserve.output.reservationId}", "/charges/${forward.output.chargeId}/refund");

    private String faultOf(String yaml) {
        return assertThrows(InvalidDefinitionException.class, () -> parser.parse("checkout.yaml", yaml)).getMessage();
    }

    @Test
    void aDeclaredCallReadsAsWritten() {
        // given a checkout whose steps and compensations declare their calls, when it is read
        SagaDefinition d = parser.parse("checkout.yaml", GOOD);

        // then each step carries its call, shown where an action name would be
        StepDefinition reserve = d.step(0);
        HttpCall call = reserve.http();
        assertEquals("POST", call.method());
        assertEquals("inventory", call.target());
        assertEquals("saga.http.inventory.url", call.urlKey());
        assertEquals(Set.of("saga.secret.inventory-key"), call.secretKeys());
        assertEquals("POST inventory /reservations", reserve.action());
        assertEquals("DELETE inventory /reservations/${forward.output.reservationId}", reserve.compensation());
        assertEquals(Map.of("409", CallOutcome.REJECTED, "404", CallOutcome.SUCCEEDED, "4xx", CallOutcome.UNKNOWN), call.outcomes());
        // a status's own entry wins over its class's; a status neither names is left to the default rules
        assertEquals(CallOutcome.REJECTED, call.outcomeFor(409));
        assertEquals(CallOutcome.UNKNOWN, call.outcomeFor(422));
        assertNull(call.outcomeFor(503));
        assertEquals(Map.of("EXISTS", CallOutcome.SUCCEEDED, "FULL", CallOutcome.REJECTED), call.outcomeField().values());
        assertEquals("/id", call.output().get("reservationId").toString());
        assertTrue(call.idempotencyKey(), "the Idempotency-Key is sent unless the call says not to");
        assertEquals(Set.of("chargeId", "httpStatus"), d.step(1).http().outputFields());
    }

    @Test
    void aReferenceToALaterStepIsRefusedWithItsLine() {
        // given a reserve step whose body reads the output of the charge that comes after it
        String yaml = checkout("{ charge: \"${steps.charge.output.chargeId}\" }", "/charges", "/refunds");

        // when read, then it is refused with the file, the line and the reference
        String fault = faultOf(yaml);
        assertTrue(fault.contains("checkout.yaml, line 11, steps[0] 'reserve'"), fault);
        assertTrue(fault.contains("${steps.charge.output.chargeId}") && fault.contains("not an earlier step"), fault);
    }

    @Test
    void anOutputTheEarlierStepDoesNotDeclareIsRefused() {
        // given a charge that reads an output the reserve step does not extract
        String fault = faultOf(checkout("{}", "/charges/${steps.reserve.output.reservation}", "/refunds"));

        // then the fault names the reference, what is declared, and the line of the charge's path
        assertTrue(fault.contains("line 22, steps[1] 'charge'"), fault);
        assertTrue(fault.contains("${steps.reserve.output.reservation}") && fault.contains("reservationId"), fault);
    }

    @Test
    void anUnknownRootIsRefused() {
        String fault = faultOf(checkout("{ sku: \"${inptu.sku}\" }", "/charges", "/refunds"));

        assertTrue(fault.contains("line 11") && fault.contains("${inptu.sku}") && fault.contains("input"), fault);
    }

    @Test
    void theForwardOutputOutsideACompensationIsRefused() {
        String fault = faultOf(checkout("{}", "/charges/${forward.output.reservationId}", "/refunds"));

        assertTrue(fault.contains("line 22") && fault.contains("${forward.output.reservationId}")
                && fault.contains("only be used in a compensation"), fault);
    }

    @Test
    void aForwardOutputTheStepDoesNotDeclareIsRefusedInItsCompensation() {
        String fault = faultOf(checkout("{}", "/charges", "/charges/${forward.output.id}/refund"));

        assertTrue(fault.contains("line 25, steps[1] 'charge'") && fault.contains("${forward.output.id}")
                && fault.contains("chargeId"), fault);
    }

    @Test
    void aSecretOutsideTheHeadersIsRefused() {
        String fault = faultOf(checkout("{ key: \"${secret.payment-key}\" }", "/charges", "/refunds"));

        assertTrue(fault.contains("line 11") && fault.contains("${secret.payment-key}") && fault.contains("headers"), fault);
    }

    @Test
    void anUnknownOutcomeWordIsRefused() {
        String fault = faultOf(GOOD.replace("\"409\": rejected", "\"409\": refused"));

        assertTrue(fault.contains("line 13") && fault.contains("'refused'") && fault.contains("succeeded, rejected, unknown, unavailable"),
                fault);
    }

    @Test
    void anOutcomeKeyThatIsNeitherAStatusNorAClassIsRefused() {
        String fault = faultOf(GOOD.replace("\"4XX\": unknown", "\"6xx\": unknown"));

        assertTrue(fault.contains("'6xx' is neither an HTTP status (100-599) nor a status class (1xx-5xx)"), fault);
    }

    @Test
    void aBadMethodOrTargetIsRefused() {
        String method = faultOf(GOOD.replace("method: post", "method: FETCH"));
        String target = faultOf(GOOD.replace("target: inventory\n", "target: Inventory_EU\n"));

        assertTrue(method.contains("line 7") && method.contains("FETCH"), method);
        assertTrue(target.contains("line 8") && target.contains("Inventory_EU"), target);
    }

    @Test
    void aHeaderTheClientSetsItselfOrAMissingPartIsRefused() {
        String header = faultOf(GOOD.replace("X-Api-Key:", "Host:"));
        String missing = faultOf(GOOD.replace("      path: /reservations\n", ""));

        assertTrue(header.contains("line 10") && header.contains("'Host' is not a header a call may set"), header);
        assertTrue(missing.contains("steps[0] 'reserve'") && missing.contains("'http.path' is missing"), missing);
    }

    @Test
    void aStepWithBothAnActionAndACallIsRefused() {
        String fault = faultOf(GOOD.replace("    http:\n      method: post", "    action: ttAddUser\n    http:\n      method: post"));

        assertTrue(fault.contains("steps[0] 'reserve'") && fault.contains("both 'action' and 'http'"), fault);
    }

    @Test
    void aLocalStepCannotDeclareACall() {
        String fault = faultOf("""
                name: local-call
                version: 1
                steps:
                  - name: save
                    type: local
                    http: { method: POST, target: inventory, path: /x }
                """);

        assertTrue(fault.contains("steps[0] 'save'") && fault.contains("local step 'save' declares an http call"), fault);
    }

    @Test
    void aBeanCompensationStillReadsAsItsNameAndABeanOutputIsNotChecked() {
        // given a declared call after a bean step, whose output fields are not known when the definition is read
        SagaDefinition d = parser.parse("mixed.yaml", """
                name: mixed
                version: 1
                steps:
                  - name: add
                    type: remote
                    action: ttAddUser
                    compensation: { action: ttDeleteUser }
                  - name: notify
                    type: outbox
                    http: { method: POST, target: crm, path: "/users/${steps.add.output.remoteUserId}", idempotencyKey: false }
                """);

        // then both read: the bean's name as its compensation, and the call's reference left to run time
        assertEquals("ttDeleteUser", d.step(0).compensation());
        assertNull(d.step(0).compensationHttp());
        assertEquals(false, d.step(1).http().idempotencyKey());
    }
}
