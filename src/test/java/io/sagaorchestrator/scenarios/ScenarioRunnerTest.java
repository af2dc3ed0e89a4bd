package io.sagaorchestrator.scenarios;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner itself: it can fail (a scenario that expects what does not happen is reported with expected, actual and the
 * saga's log), and its doubles mean what the format says.
 */
@QuarkusTest
class ScenarioRunnerTest {

    @Inject
    ScenarioRunner scenarios;

    @Inject
    DefinitionRegistry definitions;

    @Test
    void aDeclinedChargeExpectedToCompleteIsReportedWithTheLog() {
        Scenario wrong = Scenario.parse("wrong-on-purpose.yaml", """
                saga: order-checkout
                input: { sku: "W-${unique}", quantity: 1, amount: 10.00, currency: EUR }
                thirdParties:
                  inventory:
                    "POST /reservations": { status: 201, body: { id: r_1 } }
                    "DELETE /reservations/{key}": { status: 204 }
                  payments:
                    "POST /charges": { status: 402, body: { error: card_declined } }
                expect:
                  status: COMPLETED
                  calls: [ "POST inventory /reservations", "POST payments /charges" ]
                  steps: { charge-payment: DONE }
                """, definitions::current);

        String report = assertThrows(AssertionError.class, () -> scenarios.play(wrong)).getMessage();

        assertTrue(report.startsWith("scenario wrong-on-purpose.yaml (saga "), report);
        assertTrue(report.contains("status: expected COMPLETED, actual COMPENSATED"), report);
        assertTrue(report.contains("calls:\n    expected [POST inventory /reservations, POST payments /charges]\n"
                + "    actual   [POST inventory /reservations, POST payments /charges, DELETE inventory /reservations/"), report);
        assertTrue(report.contains("steps.charge-payment: expected DONE, actual NONE"), report);
        // the log: every attempt, with the declined charge's answer
        assertTrue(report.contains("the saga's log (GET /api/sagas/"), report);
        assertTrue(report.contains("\"attempts\""), report);
        assertTrue(report.contains("\"outcome\" : \"REJECTED\""), report);
    }

    @Test
    void aCallNoRouteScriptsIsNamed() {
        // a scenario that does not script the release of the stock, which the declined charge leads to
        Scenario unscripted = Scenario.parse("release-not-scripted.yaml", """
                saga: order-checkout
                input: { sku: "U-${unique}", quantity: 1, amount: 10.00, currency: EUR }
                thirdParties:
                  inventory:
                    "POST /reservations": { status: 201, body: { id: r_1 } }
                  payments:
                    "POST /charges": { status: 402 }
                expect:
                  status: COMPENSATED
                """, definitions::current);

        String report = assertThrows(AssertionError.class, () -> scenarios.play(unscripted)).getMessage();

        // the release of the stock, which the scenario forgot
        assertTrue(report.contains("unscripted calls (no route of the scenario answers them; the double answered 404): "
                + "[DELETE inventory /reservations/"), report);
        assertTrue(report.contains(":reserve-stock]"), report);
    }

    @Test
    void aLostAnswerIsAnUnknownOutcomeForDeclaredCallsAndForTtsClient() {
        // given a declared call and a call of TT's REST client, each losing its first answer
        ScenarioRunner.Outcome declared = scenarios.play(Scenario.parse("lost-declared.yaml", """
                saga: send-sms
                input: { phone: "136${unique}", content: "lost once" }
                thirdParties:
                  sms-api:
                    "POST /messages": [ { lose: answer }, { status: 202 } ]
                expect: { status: COMPLETED }
                """, definitions::current));
        ScenarioRunner.Outcome tt = scenarios.play(Scenario.parse("lost-tt.yaml", """
                saga: user-sync
                input: { name: "Lost Once", phone: "136${unique}", roleIds: [3] }
                thirdParties:
                  tt:
                    "POST /users": [ { lose: answer }, { status: 200, body: { status: EXISTS, data: "tt-${unique}" } } ]
                expect: { status: COMPLETED }
                """, definitions::current));

        // then the engine logged each first attempt as of unknown outcome: it may have been carried out
        for (ScenarioRunner.Outcome outcome : java.util.List.of(declared, tt)) {
            assertTrue(outcome.log().contains("\"outcome\" : \"UNKNOWN\""), outcome.log());
            assertTrue(outcome.log().contains("\"errorClass\" : \"UnknownOutcomeFailure\""), outcome.log());
        }
    }
}
