package io.sagaorchestrator.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.Main;
import io.sagaorchestrator.definitions.NamedActions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code check [DIR] [--json]}: the matrix of every definition, the lints, and an exit code a CI can act on. */
public class CheckCommandTest {

    /** A refund addressed by the charge's answer, which is lost when the charge times out: line 8 has a lint. */
    public static final String REFUND_READING_A_LOST_ANSWER = """
                name: refund
                version: 1
                steps:
                  - name: charge
                    type: remote
                    http: { method: POST, target: payments, path: /charges, output: { id: /id } }
                    compensation:
                      http: { method: POST, target: payments, path: "/charges/${forward.output.id}/refund" }
                """;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String... args) {
        return CheckCommand.run(List.of(args), NamedActions.SHIPPED, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theShippedDefinitionsAreSoundAndEveryFailurePointIsPrinted() {
        // given the shipped definitions; when they are checked
        int exit = check("saga-definitions");

        // then check succeeds, and user-sync's table says that a compensation that keeps failing escalates
        assertEquals(CheckCommand.SOUND, exit, printed());
        String table = printed();
        assertTrue(table.contains("user-sync v"), table);
        assertTrue(table.matches("(?s).*\\n  tt-add-user +compensation fails +ESCALATED +\\(when save-liaison is rejected\\)\\n.*"),
                table);
        assertTrue(table.contains("undo tt-add-user (ttDeleteUser): fails, unavailable (12 attempts in 4 runs)"), table);
        assertTrue(table.matches("(?s).*\\n\\d+ definitions checked, \\d+ failure points, no errors\\n$"), table);
        // ...and it names the test scenarios beside them, which the tests play (ShippedScenariosTest)
        assertTrue(table.matches("(?s).*\\n\\d+ test scenarios in saga-definitions/tests are played through the real engine.*"),
                table);
    }

    @Test
    void aDefinitionWithALintOrThatIsRefusedFailsTheCheckWithFileAndLine(@TempDir Path dir) throws Exception {
        // given one definition with a lint and one the parser refuses
        Files.writeString(dir.resolve("refund.yaml"), REFUND_READING_A_LOST_ANSWER);
        Files.writeString(dir.resolve("typo.yaml"), """
                name: typo
                version: 1
                steps:
                  - name: add
                    type: remote
                    action: ttAdUser
                    compensation: ttDeleteUser
                """);

        // when they are checked
        int exit = check(dir.toString());

        // then the exit code is 1, and each fault is printed as file:line: rule: message
        assertEquals(CheckCommand.FAULTS, exit);
        assertTrue(printed().contains("error: " + dir.resolve("refund.yaml") + ":8: compensation-reads-unrecorded-output: "), printed());
        assertTrue(printed().contains("error: " + dir.resolve("typo.yaml") + ":6: invalid-definition: action 'ttAdUser' is not a"
                + " known remote action"), printed());
        assertTrue(printed().endsWith("1 definitions checked, 5 failure points, 2 errors\n"), printed());
    }

    @Test
    void aParallelGroupIsCheckedBranchByBranchAndARefusedOneNamesItsLine(@TempDir Path dir) throws Exception {
        // given a definition whose two branches run side by side, and one whose group holds a single branch
        String accounts = """
                name: accounts
                version: 1
                steps:
                  - parallel:
                      name: open
                      steps:
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
                """;
        Files.writeString(dir.resolve("accounts.yaml"), accounts);
        Files.writeString(dir.resolve("lonely.yaml"), accounts.replace("name: accounts", "name: lonely")
                .substring(0, accounts.indexOf("        - name: mailbox")));

        // when they are checked
        int exit = check(dir.toString());

        // then each branch's refusal undoes its sibling, which ran beside it, and the lonely group is refused at its line
        assertEquals(CheckCommand.FAULTS, exit, printed());
        assertTrue(printed().matches("(?s).*\\n  crm-contact +rejected +COMPENSATED +group open starts crm-contact and mailbox"
                + " together\\n +crm-contact: fails, rejected\\n +group open starts no further branch; mailbox, in flight, ends\\n"
                + " +mailbox: ok\\n +undo mailbox .*"), printed());
        assertTrue(printed().contains("undo mailbox (DELETE mail /boxes/${step.idempotencyKey}): ok"), printed());
        assertTrue(printed().contains("error: " + dir.resolve("lonely.yaml") + ":5: invalid-definition: a group runs at least"
                + " two branches side by side"), printed());
    }

    @Test
    void jsonGivesTheSameFindingsToAMachine() throws Exception {
        int exit = check("saga-definitions", "--json");

        assertEquals(CheckCommand.SOUND, exit);
        JsonNode result = new ObjectMapper().readTree(printed());
        JsonNode userSync = null;
        for (JsonNode d : result.get("definitions")) {
            if (d.get("name").asText().equals("user-sync")) {
                userSync = d;
            }
        }
        assertTrue(userSync != null, printed());
        JsonNode first = userSync.get("failurePoints").get(0);
        assertEquals("tt-add-user", first.get("step").asText());
        assertEquals("REJECTED", first.get("failure").asText());
        assertEquals("COMPENSATED", first.get("end").asText());
        assertTrue(first.get("path").isArray() && first.get("path").size() > 0, first.toString());
        assertEquals(0, result.get("refused").size());
    }

    @Test
    void aMissingDirectoryIsAUsageErrorThatSaysWhatToGive() {
        int exit = check("no-such-dir");

        assertEquals(CheckCommand.USAGE, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no-such-dir is not a directory of saga definitions"), err.toString());
    }

    @Test
    void theActionBeansAreReadFromTheClassesWithoutStartingTheContainer() {
        // given the application's classes; when check reads its action beans from them
        ActionBeans beans = ActionBeans.besides(Main.class);

        // then it finds the names CDI gives the beans the shipped definitions use
        assertEquals(NamedActions.SHIPPED.remoteActions(), beans.remoteActions());
        assertEquals(NamedActions.SHIPPED.localActions(), beans.localActions());
    }
}
