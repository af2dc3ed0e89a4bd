package io.sagaorchestrator.web.console;

import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A definition's page says, in its table of steps, which steps are branches of which parallel group. */
class ConsoleNamesTheBranchesOfAGroupTest {

    private static SagaDefinition signup(String groupKeys) {
        return new DefinitionParser(NamedActions.SHIPPED).parse("signup.yaml", """
                name: signup
                version: 1
                steps:
                  - parallel:
                      name: accounts
                %s      steps:
                        - name: crm-contact
                          type: remote
                          http: { method: POST, target: crm, path: /contacts }
                          compensation:
                            http: { method: DELETE, target: crm, path: "/contacts/${step.idempotencyKey}" }
                        - name: mailbox
                          type: remote
                          http: { method: POST, target: mail, path: /boxes }
                          compensation:
                            http: { method: DELETE, target: mail, path: "/boxes/${step.idempotencyKey}" }
                        - name: calendar
                          type: remote
                          http: { method: POST, target: cal, path: /calendars }
                          compensation:
                            http: { method: DELETE, target: cal, path: "/calendars/${step.idempotencyKey}" }
                  - name: save
                    type: local
                    action: saveLiaison
                """.formatted(groupKeys));
    }

    @Test
    void eachBranchNamesItsGroupItsPlaceInItAndHowManyRunAtOnce() {
        SagaDefinition d = signup("");

        assertEquals("accounts: branch 1 of 3, all at once", ConsoleFormat.branchOf(d, 0));
        assertEquals("accounts: branch 3 of 3, all at once", ConsoleFormat.branchOf(d, 2));
        assertEquals("accounts: branch 2 of 3, at most 2 at once", ConsoleFormat.branchOf(signup("      maxConcurrency: 2\n"), 1));
    }

    @Test
    void aStepThatRunsOnItsOwnNamesNoGroup() {
        assertEquals("", ConsoleFormat.branchOf(signup(""), 3));
    }
}
