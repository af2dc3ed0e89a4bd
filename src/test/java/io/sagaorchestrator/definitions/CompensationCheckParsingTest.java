package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A compensation's {@code verify:} is read and checked with its definition; a fault names the file and the line. */
class CompensationCheckParsingTest {

    private final DefinitionParser parser = new DefinitionParser(NamedActions.SHIPPED);

    /** A CRM contact created, undone by a DELETE, whose undo is checked as {@code verify} (lines 9 on) says. */
    private static String crm(String verify) {
        return """
                name: crm-contact
                version: 1
                steps:
                  - name: create-contact
                    type: remote
                    http: { method: POST, target: crm, path: /contacts, output: { id: /id } }
                    compensation:
                      http: { method: DELETE, target: crm, path: "/contacts/${forward.output.id}" }
                %s
                """.formatted(verify.indent(6).stripTrailing());
    }

    private String faultOf(String yaml) {
        return assertThrows(InvalidDefinitionException.class, () -> parser.parse("crm.yaml", yaml)).getMessage();
    }

    @Test
    void aCheckReadsAsWrittenWithTheCompensationsBudgetByDefault() {
        // given a compensation checked by a GET expecting 404, when it is read
        SagaDefinition d = parser.parse("crm.yaml", crm("""
                verify:
                  http: { method: GET, target: crm, path: "/contacts/${forward.output.id}" }
                  expect: { status: 404 }"""));

        // then the step carries the check, with the compensation's retry policy
        CompensationCheck check = d.step(0).verify();
        assertEquals("GET crm /contacts/${forward.output.id}", check.http().label());
        assertEquals(404, check.expectStatus());
        assertNull(check.pointer());
        assertSame(d.step(0).compensationRetry(), check.retry());
        assertEquals("status 404", check.expectation());
        assertNull(check.unmet(404, null));
        assertEquals("it answered 200", check.unmet(200, null));
    }

    @Test
    void aCheckMayExpectAValueAtAPointerAndHaveItsOwnBudget() {
        // given a check of the contact's state with a budget of its own
        SagaDefinition d = parser.parse("crm.yaml", crm("""
                verify:
                  http: { method: GET, target: crm, path: "/contacts/${forward.output.id}" }
                  expect: { pointer: /state, value: cancelled }
                  retry: { attempts: 2 }"""));

        // then the value is compared at the pointer
        CompensationCheck check = d.step(0).verify();
        assertEquals(2, check.retry().attempts());
        assertNull(check.unmet(200, JsonNodeFactory.instance.objectNode().put("state", "cancelled")));
        assertEquals("/state is \"active\"", check.unmet(200, JsonNodeFactory.instance.objectNode().put("state", "active")));
    }

    @Test
    void aCheckThatWouldChangeSomethingIsRefusedWithItsLine() {
        String fault = faultOf(crm("""
                verify:
                  http: { method: DELETE, target: crm, path: "/contacts/${forward.output.id}" }
                  expect: { status: 404 }"""));
        assertTrue(fault.contains("crm.yaml, line 8, steps[0] 'create-contact': compensation.verify.http.method 'DELETE' must be GET"),
                fault);
    }

    @Test
    void aCheckWithoutExpectationIsRefusedAtItsVerifyLine() {
        String fault = faultOf(crm("""
                verify:
                  http: { method: GET, target: crm, path: "/contacts/${forward.output.id}" }"""));
        assertTrue(fault.contains("crm.yaml, line 9, steps[0] 'create-contact': compensation.verify has no 'expect'"), fault);
    }

    @Test
    void aPointerWithoutValueIsRefused() {
        String fault = faultOf(crm("""
                verify:
                  http: { method: GET, target: crm, path: "/contacts/${forward.output.id}" }
                  expect: { pointer: /state }"""));
        assertTrue(fault.contains("line 11, steps[0] 'create-contact': compensation.verify.expect.pointer '/state' has no 'value'"),
                fault);
    }

    @Test
    void aCheckReadingAnOutputTheStepDoesNotDeclareIsRefused() {
        String fault = faultOf(crm("""
                verify:
                  http: { method: GET, target: crm, path: "/contacts/${forward.output.contactId}" }
                  expect: { status: 404 }"""));
        assertTrue(fault.contains("line 10, steps[0] 'create-contact': ${forward.output.contactId} reads output 'contactId'"), fault);
    }
}
