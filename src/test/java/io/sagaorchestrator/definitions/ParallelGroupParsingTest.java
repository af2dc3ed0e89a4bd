package io.sagaorchestrator.definitions;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A {@code parallel:} group is read into its branches' places, or refused with a message that names the file, the line and the fault. */
class ParallelGroupParsingTest {

    private final DefinitionParser parser = new DefinitionParser(NamedActions.SHIPPED);

    private static final String RESERVE = """
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations, output: { id: /id } }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${forward.output.id}" }
            """;

    private static final String CRM = """
                    - name: crm-contact
                      type: remote
                      http: { method: POST, target: crm, path: /contacts, output: { id: /id } }
                      compensation:
                        http: { method: DELETE, target: crm, path: "/contacts/${forward.output.id}" }
            """;

    private static final String MAILBOX = """
                    - name: mailbox
                      type: remote
                      http: { method: POST, target: mail, path: /boxes }
                      compensation:
                        http: { method: DELETE, target: mail, path: "/boxes/${step.idempotencyKey}" }
            """;

    private static final String SAVE = """
              - name: save
                type: local
                action: saveLiaison
            """;

    /** Reserve, then open a CRM contact and a mailbox side by side, then save: {@code group} is the group's head. */
    private static String signup(String group, String... branches) {
        return "name: signup\nversion: 1\nsteps:\n" + RESERVE + group + String.join("", branches) + SAVE;
    }

    private static final String ACCOUNTS = """
              - parallel:
                  name: accounts
                  steps:
            """;

    private static String accounts(String... branches) {
        return signup(ACCOUNTS, branches);
    }

    private static final String NOTIFY = """
              - name: notify
                type: outbox
                http: { method: POST, target: mail, path: "/notes/${steps.crm-contact.output.id}" }
            """;

    private String refusal(String yaml) {
        return assertThrows(InvalidDefinitionException.class, () -> parser.parse("signup.yaml", yaml)).getMessage();
    }

    @Test
    void aGroupsBranchesTakeTheirPlacesAmongTheStepsAndAllStartTogetherByDefault() {
        SagaDefinition d = parser.parse("signup.yaml", accounts(CRM, MAILBOX) + NOTIFY);

        assertEquals(List.of("reserve", "crm-contact", "mailbox", "save", "notify"),
                d.steps().stream().map(StepDefinition::name).toList());
        assertEquals(List.of(new Group("accounts", 1, 2, 2)), d.groups());
        assertEquals(d.groups().get(0), d.groupAt(2));
        assertNull(d.groupAt(0));
        assertNull(d.groupAt(3));
        // a saga standing on any branch may have begun them all: undoing starts from the last
        assertEquals(2, d.lastBegunAt(1));
        assertEquals(3, d.lastBegunAt(3));
    }

    @Test
    void aGroupsLimitAndConditionReadAsWrittenTheConditionStandingOnItsFirstBranch() {
        SagaDefinition d = parser.parse("signup.yaml", signup(ACCOUNTS.replace("name: accounts\n",
                "name: accounts\n      maxConcurrency: 1\n      compensation: reverse\n      when: input.amount > 0\n"), CRM, MAILBOX));

        assertEquals(1, d.groups().get(0).maxConcurrency());
        assertEquals("input.amount > 0", d.step(1).when().text());
        assertNull(d.step(2).when());
    }

    @Test
    void aDefinitionWithoutAGroupHasNone() {
        assertEquals(List.of(), parser.parse("signup.yaml", "name: signup\nversion: 1\nsteps:\n" + RESERVE + SAVE).groups());
    }

    @Test
    void aLocalBranchIsRefused() {
        String fault = refusal(accounts(CRM, """
                    - name: mailbox
                      type: local
                      action: saveLiaison
                      compensation: deleteLiaison
            """));

        assertEquals("Invalid saga definition signup.yaml, line 17, step 'mailbox': step 'mailbox' in group 'accounts' is of"
                + " type local: a branch calls a third party (remote or outbox); put local steps and awaits before or after the"
                + " group", fault);
    }

    @Test
    void anAwaitAsABranchIsRefusedOnTheLineOfItsName() {
        String fault = refusal(accounts(CRM, """
                    - await:
                        name: approval
                        signal: approved
                        timeout: 1h
            """));

        assertEquals("Invalid saga definition signup.yaml, line 18, steps[1].parallel 'accounts'.steps[1] 'approval': a branch"
                + " cannot wait for a signal: put the await before or after the group", fault);
    }

    @Test
    void aBranchWithAConditionOfItsOwnIsRefusedOnTheLineOfTheCondition() {
        String fault = refusal(accounts(CRM, MAILBOX.replace("  type: remote\n", "  type: remote\n          when: input.x > 0\n")));

        assertEquals("Invalid saga definition signup.yaml, line 19, steps[1].parallel 'accounts'.steps[1] 'mailbox': a branch"
                + " has no condition of its own: put 'when' on the group, which runs all its branches or none", fault);
    }

    @Test
    void aBranchWithADeadlineOfItsOwnIsRefusedOnTheLineOfTheDeadline() {
        String fault = refusal(accounts(CRM, MAILBOX.replace("  type: remote\n", "  type: remote\n          deadline: 5m\n")));

        assertEquals("Invalid saga definition signup.yaml, line 19, steps[1].parallel 'accounts'.steps[1] 'mailbox': a branch"
                + " has no deadline of its own: the branches run together, under the saga's deadline", fault);
    }

    @Test
    void aBranchThatReadsASiblingsOutputIsRefusedOnTheLineOfTheRead() {
        // whichever of the two is written first: they run side by side, so neither has the other's output
        String fault = refusal(accounts(CRM, MAILBOX.replace("path: /boxes }", "path: \"/boxes/${steps.crm-contact.output.id}\" }")));
        assertEquals("Invalid saga definition signup.yaml, line 19, step 'mailbox': step 'mailbox' reads the output of step"
                + " 'crm-contact', a branch of the same group 'accounts' that runs beside it: a branch's output is there only"
                + " after the whole group, for the steps after it", fault);

        fault = refusal(accounts(CRM.replace("path: /contacts,", "path: \"/contacts/${steps.mailbox.output}\","), MAILBOX));
        assertTrue(fault.startsWith("Invalid saga definition signup.yaml, line 14, step 'crm-contact': step 'crm-contact' reads"
                + " the output of step 'mailbox', a branch of the same group 'accounts'"), fault);

        // nor does its compensation, which may run while the sibling is still in flight
        fault = refusal(accounts(CRM, MAILBOX.replace("\"/boxes/${step.idempotencyKey}\"", "\"/boxes/${steps.crm-contact.output.id}\"")));
        assertTrue(fault.startsWith("Invalid saga definition signup.yaml, line 21, step 'mailbox': step 'mailbox' reads the"
                + " output of step 'crm-contact', a branch of the same group"), fault);
    }

    @Test
    void aKeyBesideParallelIsRefused() {
        String fault = refusal(signup(ACCOUNTS.replace("  - parallel:\n", "  - timeout: 3s\n    parallel:\n"), CRM, MAILBOX));

        assertEquals("Invalid saga definition signup.yaml, line 11, steps[1].parallel 'accounts': a 'parallel' group is written"
                + " with everything inside its block (name, maxConcurrency, compensation, when, steps): nothing may stand"
                + " beside 'parallel:'", fault);
    }

    @Test
    void aGroupOfOneBranchIsRefused() {
        String fault = refusal(accounts(CRM));

        assertEquals("Invalid saga definition signup.yaml, line 10, steps[1].parallel 'accounts': a group runs at least two"
                + " branches side by side; a single step needs no group", fault);
    }

    @Test
    void aGroupIsUndoneInReverseUnlessItSaysParallel() {
        // given the same group written without an order, and with 'compensation: parallel'
        SagaDefinition reverse = parser.parse("signup.yaml", accounts(CRM, MAILBOX));
        SagaDefinition parallel = parser.parse("signup.yaml", signup(ACCOUNTS.replace("name: accounts\n",
                "name: accounts\n      compensation: parallel\n"), CRM, MAILBOX));

        // then the first is undone one branch at a time, the second side by side
        assertEquals(Group.CompensationOrder.REVERSE, reverse.groupAt(1).compensation());
        assertEquals(Group.CompensationOrder.PARALLEL, parallel.groupAt(1).compensation());
        assertTrue(parallel.groupAt(2).undoneTogether());
    }

    @Test
    void anUnknownCompensationOrderIsRefusedOnItsLine() {
        String fault = refusal(signup(ACCOUNTS.replace("name: accounts\n", "name: accounts\n      compensation: random\n"),
                CRM, MAILBOX));

        assertEquals("Invalid saga definition signup.yaml, line 11, steps[1].parallel 'accounts': compensation 'random' is"
                + " not an order a group is undone in: write 'reverse' (one at a time, last started first; the default) or"
                + " 'parallel' (side by side)", fault);
    }

    @Test
    void aCheckedUndoInAGroupUndoneSideBySideIsRefusedOnItsLine() {
        String fault = refusal(signup(ACCOUNTS.replace("name: accounts\n", "name: accounts\n      compensation: parallel\n"),
                CRM + " ".repeat(12) + "verify: { http: { method: GET, target: crm, path: \"/contacts/${forward.output.id}\" },"
                        + " expect: { status: 404 } }\n", MAILBOX));

        assertEquals("Invalid saga definition signup.yaml, line 18, steps[1].parallel 'accounts'.steps[0] 'crm-contact': a"
                + " branch of a group undone side by side cannot check its undo yet ('verify:'): write 'compensation:"
                + " reverse' on the group, or leave the check out", fault);
    }

    @Test
    void aGroupInsideAGroupIsRefusedOnTheLineOfTheInnerOne() {
        String fault = refusal(accounts(CRM, """
                    - parallel:
                        name: inner
                        steps: []
            """));

        assertEquals("Invalid saga definition signup.yaml, line 18, steps[1].parallel 'accounts'.steps[1] 'inner': a group"
                + " cannot hold another group: write the inner group's branches into this one, or put the inner group before"
                + " or after it", fault);
    }

    @Test
    void aBranchWithoutCompensationIsRefusedWhenASiblingsFailureCompensates() {
        // the outbox branch escalates when it fails itself, but the CRM contact's refusal undoes the group
        String fault = refusal(accounts(CRM, """
                    - name: mailbox
                      type: outbox
                      http: { method: POST, target: mail, path: /boxes }
            """));

        assertEquals("Invalid saga definition signup.yaml, line 17, step 'mailbox': step 'mailbox' has no compensation, but a"
                + " branch of its group 'accounts' that fails sends the saga to compensation: its effect could not be undone",
                fault);
    }

    @Test
    void aLaterStepThatReadsABranchOfAConditionalGroupIsRefusedOnTheLineOfTheRead() {
        String conditional = ACCOUNTS.replace("name: accounts\n", "name: accounts\n      when: input.amount > 0\n");

        String fault = refusal(signup(conditional, CRM, MAILBOX) + NOTIFY);

        assertEquals("Invalid saga definition signup.yaml, line 28, step 'notify': step 'notify' reads the output of step"
                + " 'crm-contact', which runs only when input.amount > 0 (the condition of its group 'accounts'): when it is"
                + " skipped there is no output to read", fault);
        // every branch is skipped with the group, not only the first, which carries the condition
        fault = refusal(signup(conditional, CRM, MAILBOX) + NOTIFY.replace("${steps.crm-contact.output.id}", "${steps.mailbox.output}"));
        assertTrue(fault.contains("reads the output of step 'mailbox', which runs only when input.amount > 0"), fault);
    }

    @Test
    void aGroupThatOpensTheSagaHasNoCondition() {
        String fault = refusal("name: signup\nversion: 1\nsteps:\n"
                + ACCOUNTS.replace("name: accounts\n", "name: accounts\n      when: input.amount > 0\n") + CRM + MAILBOX + SAVE);

        assertEquals("Invalid saga definition signup.yaml, line 5, group 'accounts': group 'accounts', the first step, has a"
                + " condition, but the first step always runs: decide before starting the saga, or put the condition on a"
                + " later step", fault);
    }

    @Test
    void aGroupThatTakesTheNameOfAStepIsRefusedOnTheLineOfTheSecondUse() {
        String fault = refusal(signup(ACCOUNTS.replace("name: accounts\n", "name: reserve\n"), CRM, MAILBOX));

        assertEquals("Invalid saga definition signup.yaml, line 10, group 'reserve': group name 'reserve' is used twice (group"
                + " and step names share one space: later steps read a group's branches by their names)", fault);
    }

    @Test
    void aGroupWithoutALimitOfOneAtLeastIsRefusedOnTheLineOfTheLimit() {
        String fault = refusal(signup(ACCOUNTS.replace("name: accounts\n", "name: accounts\n      maxConcurrency: 0\n"),
                CRM, MAILBOX));

        assertEquals("Invalid saga definition signup.yaml, line 11, steps[1].parallel 'accounts': group 'accounts':"
                + " maxConcurrency must be at least 1, got 0", fault);
    }
}
