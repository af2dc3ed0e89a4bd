package io.sagaorchestrator.check;

import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.NamedActions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each lint fails a definition that is valid to read but breaks the promise in some failure, and says where and how to mend it. */
class LintsTest {

    private static final DefinitionParser PARSER = new DefinitionParser(NamedActions.SHIPPED);

    /** A charge whose call and refund are written as given. */
    private static String charge(String call, String refund) {
        return """
                name: charge
                version: 1
                steps:
                  - name: charge
                    type: remote
                    http: %s
                    compensation:
                      http: %s
                """.formatted(call, refund);
    }

    private static List<Lint> lintsOf(String yaml) {
        return Lints.of("charge.yaml", PARSER.parse("charge.yaml", yaml));
    }

    @Test
    void aSoundChargeHasNoLint() {
        assertEquals(List.of(), lintsOf(charge("{ method: POST, target: payments, path: /charges, output: { id: /id } }",
                "{ method: POST, target: payments, path: \"/charges/${step.idempotencyKey}/refund\" }")));
    }

    @Test
    void aPostRetriedAfterAnUnknownOutcomeWithoutAKeyIsAnError() {
        // given a charge that switches its idempotency key off and keeps the default retries (unknown outcomes included)
        List<Lint> lints = lintsOf(charge("{ method: POST, target: payments, path: /charges,\n        idempotencyKey: false }",
                "{ method: POST, target: payments, path: \"/charges/${step.idempotencyKey}/refund\" }"));

        // then check names the line of the switch, what can happen, and the ways out
        assertEquals(1, lints.size(), lints.toString());
        Lint lint = lints.get(0);
        assertEquals(Lints.NO_IDEMPOTENCY_KEY, lint.rule());
        assertEquals(7, lint.line());
        assertTrue(lint.text().startsWith("charge.yaml:7: retried-call-without-idempotency-key: the call of step 'charge'"
                + " (POST payments /charges) is tried again after an unknown outcome but sends no Idempotency-Key"), lint.text());
        assertTrue(lint.fix().contains("abortOn: [UnknownOutcomeFailure]"), lint.fix());
    }

    @Test
    void aPutWithoutAKeyIsNoErrorBecauseRepeatingItChangesNothing() {
        assertEquals(List.of(), lintsOf(charge("{ method: PUT, target: payments, path: \"/charges/${saga.id}\", idempotencyKey: false }",
                "{ method: POST, target: payments, path: \"/charges/${step.idempotencyKey}/refund\" }")));
    }

    @Test
    void aPostWithoutAKeyThatIsNotRetriedAfterAnUnknownOutcomeIsNoError() {
        String yaml = charge("{ method: POST, target: payments, path: /charges, idempotencyKey: false }",
                "{ method: POST, target: payments, path: \"/charges/${step.idempotencyKey}/refund\" }")
                + "    retry: { attempts: 3, abortOn: [UnknownOutcomeFailure, RejectedFailure] }\n";

        assertEquals(List.of(), lintsOf(yaml));
    }

    @Test
    void aCompensationAddressedByTheForwardAnswerIsAnError() {
        // given a refund addressed by the charge's id, which is unknown when the charge's answer is lost
        List<Lint> lints = lintsOf(charge("{ method: POST, target: payments, path: /charges, output: { id: /id } }",
                "{ method: POST, target: payments, path: \"/charges/${forward.output.id}/refund\" }"));

        assertEquals(1, lints.size(), lints.toString());
        Lint lint = lints.get(0);
        assertEquals(Lints.UNRECORDED_OUTPUT, lint.rule());
        assertEquals(8, lint.line());
        assertTrue(lint.message().startsWith("the compensation of step 'charge' reads ${forward.output.id}, which is not recorded"
                + " when the step's answer is lost"), lint.message());
        assertTrue(lint.fix().contains("${step.idempotencyKey}"), lint.fix());
    }

    @Test
    void aRemoteStepWithoutCompensationIsRefusedWithItsLine() {
        // given a remote step before a local one, without a compensation
        String yaml = """
                name: charge
                version: 1
                steps:
                  - name: charge
                    type: remote
                    http: { method: POST, target: payments, path: /charges }
                """;

        // when check reads it, then the refusal is a lint at the step's line
        Lint lint = Lints.invalid(assertThrows(InvalidDefinitionException.class, () -> PARSER.parse("charge.yaml", yaml)));
        assertEquals("charge.yaml:4: invalid-definition: remote step 'charge' has no compensation: a remote effect that cannot"
                + " be undone would break the saga's promise", lint.text());
    }
}
