package io.sagaorchestrator.check;

import io.sagaorchestrator.definitions.BookingWithAForEach;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.SignupWithAGroup;
import org.junit.jupiter.api.Test;

import io.sagaorchestrator.core.SagaStatus;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A definition drawn as a Mermaid flowchart: the forward path, each condition, and where each failure leads. */
class DiagramTest {

    private static final SagaDefinition CHECKOUT = new DefinitionParser(NamedActions.SHIPPED).parse("checkout.yaml", """
            name: checkout
            version: 2
            steps:
              - name: reserve
                type: remote
                http: { method: POST, target: shop, path: /reservations }
                compensation:
                  http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
              - name: charge
                type: remote
                when: input.amount > 0
                http: { method: POST, target: shop, path: /charges }
                compensation:
                  http: { method: POST, target: shop, path: "/charges/${step.idempotencyKey}/refund" }
              - name: save-order
                type: local
                action: saveLiaison
            """);

    private static void assertHasLines(String diagram, List<String> lines) {
        for (String line : lines) {
            assertTrue(diagram.lines().anyMatch(l -> l.equals("  " + line)), "no line '" + line + "' in\n" + diagram);
        }
    }

    @Test
    void theForwardPathGoesThroughEachConditionToCompleted() {
        String diagram = Diagram.mermaid(CHECKOUT);

        assertTrue(diagram.startsWith("flowchart TD\n"), diagram);
        assertHasLines(diagram, List.of("start --> s0", "s0 --> c1", "c1{\"when input.amount > 0\"}", "c1 -->|true| s1",
                "c1 -->|false| s2", "s1 --> s2", "s2 --> done"));
    }

    @Test
    void aFailureLeadsToTheUndoOfWhatRanBeforeInReverseThenToCompensatedOrEscalated() {
        String diagram = Diagram.mermaid(CHECKOUT);

        // a failing local save undoes charge, then reserve; an undo that keeps failing escalates
        assertHasLines(diagram, List.of("s2 -.->|fails| u1", "u1 -.-> u0", "u0 -.-> compensated", "u1 -.->|keeps failing| escalated",
                // a remote step whose answer is lost is undone itself
                "s1 -.->|outcome unknown| u1",
                // the first step's refusal leaves nothing to undo
                "s0 -.->|fails| compensated",
                "u1[\"undo charge<br/>POST shop /charges/${step.idempotencyKey}/refund\"]:::undo"));
        // the last step has no undo, so a completed saga cannot be undone by an operator
        assertTrue(diagram.lines().noneMatch(l -> l.contains("an operator compensates")), diagram);
    }

    @Test
    void aSagasStateIsLaidOverItsDefinitionStepByStepAndItsEndIsOutlined() {
        // given a checkout whose charge was skipped and whose save failed, so that its reservation was undone
        Diagram.Overlay overlay = new Diagram.Overlay(
                Map.of(0, Diagram.Mark.COMPENSATED, 1, Diagram.Mark.SKIPPED, 2, Diagram.Mark.FAILED),
                Map.of(0, Diagram.Mark.DONE), SagaStatus.COMPENSATED);

        String diagram = Diagram.mermaid(CHECKOUT, overlay);

        // then each node carries its mark, the undo of the reservation is done, and the saga's end is outlined
        assertTrue(diagram.startsWith(Diagram.mermaid(CHECKOUT)), "the definition's drawing is kept as it is");
        assertHasLines(diagram, List.of("class s0 stepCompensated", "class s1 stepSkipped", "class s2 stepFailed", "class u0 stepDone",
                "class compensated reached", "classDef stepFailed fill:#fdecea,stroke:#b3261e,stroke-width:3px"));
        // the end's own class keeps its style: a mark is a class of its own
        assertHasLines(diagram, List.of("classDef compensated fill:#f1f2f4,stroke:#5f6368"));
        assertTrue(diagram.lines().filter(l -> l.startsWith("  classDef compensated ")).count() == 1, diagram);
        assertTrue(diagram.lines().noneMatch(l -> l.startsWith("  class done ")), "the saga did not complete:\n" + diagram);
    }

    @Test
    void aLiveSagaOutlinesNoEnd() {
        String diagram = Diagram.mermaid(CHECKOUT, new Diagram.Overlay(Map.of(0, Diagram.Mark.RUNNING), Map.of(), SagaStatus.RUNNING));

        assertHasLines(diagram, List.of("class s0 stepRunning"));
        assertTrue(diagram.lines().noneMatch(l -> l.endsWith(" reached")), diagram);
    }

    @Test
    void anAwaitIsAHexagonWhoseSignalLeadsOnAndWhoseRefusalAndTimeoutLeadToTheUndo() {
        SagaDefinition approval = new DefinitionParser(NamedActions.SHIPPED).parse("approval.yaml", """
                name: approval
                version: 1
                steps:
                  - name: reserve
                    type: remote
                    http: { method: POST, target: shop, path: /reservations }
                    compensation:
                      http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
                  - await:
                      name: manager-approval
                      signal: approval
                      timeout: PT48H
                      rejectWhen: ${signal.approved == false}
                  - name: charge
                    type: remote
                    http: { method: POST, target: shop, path: /charges }
                    compensation:
                      http: { method: POST, target: shop, path: "/charges/${step.idempotencyKey}/refund" }
                """);

        String diagram = Diagram.mermaid(approval);

        assertHasLines(diagram, List.of("s0 --> s1", "s1{{\"manager-approval<br/>await signal: approval\"}}:::await",
                "s1 -->|signal approval| s2", "s1 -.->|\"refused: signal.approved == false\"| u0",
                "s1 -.->|\"no signal within 48h\"| u0", "s2 -.->|fails| u0"));
    }

    /** Reserve, then a CRM contact and a mailbox side by side (at most one at a time when asked), then save. */
    private static SagaDefinition signup(String groupKeys) {
        return SignupWithAGroup.withGroupKeys(groupKeys);
    }

    /** The lines from {@code subgraph g<first>} to its {@code end}. */
    private static List<String> box(String diagram, int first) {
        List<String> lines = diagram.lines().toList();
        int from = lines.indexOf(lines.stream().filter(l -> l.startsWith("  subgraph g" + first + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no subgraph g" + first + " in\n" + diagram)));
        return lines.subList(from, lines.indexOf("  end"));
    }

    @Test
    void aGroupIsABoxWhoseForkLeadsIntoEveryBranchAndWhoseJoinLeadsOn() {
        String diagram = Diagram.mermaid(signup(""));

        assertHasLines(diagram, List.of("s0 --> f1", "f1 --> s1", "f1 --> s2", "s1 --> j1", "s2 --> j1", "j1 --> s3",
                "s3 --> done"));
        // the branches are drawn inside the group's box, which says how many run at once; the fork and the join around it
        assertEquals(List.of("  subgraph g1 [\"parallel accounts<br/>all at once\"]",
                "    s1[\"crm-contact<br/>remote: POST crm /contacts\"]", "    s2[\"mailbox<br/>remote: POST mail /boxes\"]"),
                box(diagram, 1));
        assertHasLines(diagram, List.of("f1[\" \"]:::fork", "j1[\" \"]:::fork"));
        assertHasLines(Diagram.mermaid(signup("      maxConcurrency: 1\n")),
                List.of("subgraph g1 [\"parallel accounts<br/>at most 1 at once\"]"));
        // no branch leads straight to the next step: only the join does, once every branch has succeeded
        assertTrue(diagram.lines().noneMatch(l -> l.equals("  s1 --> s3") || l.equals("  s1 --> s2")), diagram);
    }

    @Test
    void aFailingBranchUndoesEveryBranchInReverseThenTheStepsBeforeTheGroup() {
        String diagram = Diagram.mermaid(signup(""));

        // whichever branch fails, the group is undone from its last branch back, then the reservation
        assertHasLines(diagram, List.of("s1 -.->|fails| u2", "s2 -.->|fails| u2", "u2 -.-> u1", "u1 -.-> u0",
                "u0 -.-> compensated", "u1 -.->|keeps failing| escalated", "u2 -.->|keeps failing| escalated",
                // a step after the group that fails undoes the group the same way
                "s3 -.->|fails| u2"));
        // a branch's lost answer undoes the whole group with it, not the branch alone: its failure edge says so already
        assertTrue(diagram.lines().noneMatch(l -> l.startsWith("  s1 -.->|outcome unknown|")
                || l.startsWith("  s2 -.->|outcome unknown|")), diagram);
    }

    @Test
    void aBranchThatEscalatesLeadsToEscalated() {
        SagaDefinition d = new DefinitionParser(NamedActions.SHIPPED).parse("signup.yaml", SignupWithAGroup.YAML.formatted("")
                .replace("      type: remote\n          http: { method: POST, target: mail",
                        "      type: remote\n          onFailure: escalate\n          http: { method: POST, target: mail"));

        assertHasLines(Diagram.mermaid(d), List.of("s2 -.->|fails| escalated", "s1 -.->|fails| u2"));
    }

    @Test
    void aGroupsConditionDecidesBeforeItsForkAndFalseLeadsPastTheWholeGroup() {
        String diagram = Diagram.mermaid(signup("      when: input.amount > 0\n"));

        assertHasLines(diagram, List.of("s0 --> c1", "c1{\"when input.amount > 0\"}", "c1 -->|true| f1", "c1 -->|false| s3"));
        assertTrue(diagram.lines().noneMatch(l -> l.startsWith("  c2")), "the condition is the group's, drawn once:\n" + diagram);
    }

    @Test
    void aSagasStateIsLaidOverEachBranch() {
        // given the mailbox failed while the CRM contact was done, so that the contact is being undone
        Diagram.Overlay overlay = new Diagram.Overlay(Map.of(0, Diagram.Mark.DONE, 1, Diagram.Mark.DONE, 2, Diagram.Mark.FAILED),
                Map.of(1, Diagram.Mark.RUNNING), SagaStatus.COMPENSATING);

        String diagram = Diagram.mermaid(signup(""), overlay);

        assertHasLines(diagram, List.of("class s1 stepDone", "class s2 stepFailed", "class u1 stepRunning"));
        assertTrue(diagram.startsWith(Diagram.mermaid(signup(""))), "the definition's drawing is kept as it is");
    }

    @Test
    void aGroupUndoneSideBySideForksIntoEveryBranchsUndoWhichJoinBeforeTheStepsAhead() {
        String diagram = Diagram.mermaid(signup("      compensation: parallel\n"));

        // whichever branch fails, and a step after the group that fails, all lead to the group's undo fork
        assertHasLines(diagram, List.of("s1 -.->|fails| uf1", "s2 -.->|fails| uf1", "s3 -.->|fails| uf1",
                "uf1[\" \"]:::fork", "uj1[\" \"]:::fork", "uf1 -.-> u1", "uf1 -.-> u2",
                // the reservation is undone only once both branches are, at the join; each undo may still give up
                "u1 -.-> uj1", "u2 -.-> uj1", "uj1 -.-> u0", "u0 -.-> compensated",
                "u1 -.->|keeps failing| escalated", "u2 -.->|keeps failing| escalated"));
        assertTrue(diagram.lines().noneMatch(l -> l.equals("  u2 -.-> u1") || l.equals("  u1 -.-> u0")),
                "no branch's undo waits for another's:\n" + diagram);
    }

    @Test
    void aGroupUndoneInReverseIsDrawnAsAGroupThatNamesNoOrder() {
        String reverse = Diagram.mermaid(signup("      compensation: reverse\n"));

        assertEquals(Diagram.mermaid(signup("")), reverse);
        assertTrue(reverse.lines().noneMatch(l -> l.startsWith("  uf") || l.startsWith("  uj")), reverse);
    }

    @Test
    void aSagasStateIsLaidOverEachUndoOfAGroupUndoneSideBySide() {
        // given the save failed: the contact is undone, the mailbox's undo is under way beside it
        Diagram.Overlay overlay = new Diagram.Overlay(Map.of(0, Diagram.Mark.DONE, 1, Diagram.Mark.COMPENSATED,
                2, Diagram.Mark.DONE, 3, Diagram.Mark.FAILED), Map.of(1, Diagram.Mark.DONE, 2, Diagram.Mark.RUNNING),
                SagaStatus.COMPENSATING);

        String diagram = Diagram.mermaid(signup("      compensation: parallel\n"), overlay);

        assertHasLines(diagram, List.of("class u1 stepDone", "class u2 stepRunning", "class s3 stepFailed"));
        assertTrue(diagram.startsWith(Diagram.mermaid(signup("      compensation: parallel\n"))),
                "the definition's drawing is kept as it is");
    }

    /**
     * Reserve and hold stock side by side (group {@code stock}), then the accounts side by side, each group with these keys.
     */
    private static SagaDefinition twoGroups(String groupKeys) {
        String opening = """
                  - parallel:
                      name: stock
                %s      steps:
                        - name: reserve
                          type: remote
                          http: { method: POST, target: shop, path: /reservations }
                          compensation:
                            http: { method: DELETE, target: shop, path: "/reservations/${step.idempotencyKey}" }
                        - name: hold
                          type: remote
                          http: { method: POST, target: shop, path: /holds }
                          compensation:
                            http: { method: DELETE, target: shop, path: "/holds/${step.idempotencyKey}" }
                """.formatted(groupKeys);
        String yaml = SignupWithAGroup.YAML.formatted(groupKeys);
        return new DefinitionParser(NamedActions.SHIPPED).parse("signup.yaml",
                yaml.substring(0, yaml.indexOf("  - name: reserve")) + opening
                        + yaml.substring(yaml.indexOf("  - parallel:"), yaml.indexOf("  - name: save-order")));
    }

    @Test
    void aGroupMayOpenAndEndTheSaga() {
        // given a saga of two groups: reserve and hold stock side by side, then the accounts side by side
        String diagram = Diagram.mermaid(twoGroups(""));

        // then the saga starts at the first group's fork, its join leads to the next fork, the last join to COMPLETED
        assertHasLines(diagram, List.of("start --> f0", "j0 --> f2", "j2 --> done",
                // nothing ran before the first group: a failing branch undoes its group's branches only
                "s0 -.->|fails| u1", "u1 -.-> u0", "u0 -.-> compensated", "s2 -.->|fails| u3", "u2 -.-> u1",
                // the last branch's undo begins the undoing of a completed saga
                "done -.->|an operator compensates| u3"));
    }

    @Test
    void anOperatorsUndoOfACompletedSagaBeginsAtTheUndoForkOfTheGroupItEndsWith() {
        // given both groups undone side by side
        String diagram = Diagram.mermaid(twoGroups("      compensation: parallel\n"));

        // then the second group's undo join leads to the first's undo fork, whose join leads to COMPENSATED
        assertHasLines(diagram, List.of("done -.->|an operator compensates| uf2", "uf2 -.-> u2", "uf2 -.-> u3",
                "uj2 -.-> uf0", "uf0 -.-> u0", "uf0 -.-> u1", "uj0 -.-> compensated", "s0 -.->|fails| uf0",
                "s2 -.->|fails| uf2"));
    }

    /** Hold a flight, then assign each seat of the input (forEach {@code seats}, at most 3), then save. */
    private static SagaDefinition booking(String forEachKeys) {
        return BookingWithAForEach.withForEachKeys(forEachKeys);
    }

    @Test
    void aForEachIsABoxHoldingItsStepOnceThroughWhichTheForwardPathGoes() {
        String diagram = Diagram.mermaid(booking("      maxConcurrency: 2\n"));

        // the box says what the step runs over, how many items at most and how many at once; the step stands once for them all
        assertEquals(List.of("  subgraph g1 [\"forEach seats: each item of ${input.seats}, at most 3<br/>at most 2 at once\"]",
                "    s1[\"assign-seat[i]<br/>remote: PUT airline /seats/${item.number}\"]"), box(diagram, 1));
        assertHasLines(diagram, List.of("s0 --> s1", "s1 --> s4", "s4 --> done"));
        assertTrue(diagram.lines().noneMatch(l -> l.matches("  (s|u|f|j)[23]\\b.*") || l.contains(" s2") || l.contains(" s3")),
                "no item but the first has a node:\n" + diagram);
        assertTrue(diagram.lines().noneMatch(l -> l.contains("fork")), "a forEach needs no fork:\n" + diagram);
        assertHasLines(Diagram.mermaid(booking("")), List.of("subgraph g1 [\"forEach seats: each item of ${input.seats}, at most 3<br/>all at once\"]"));
    }

    @Test
    void aForEachsConditionDecidesBeforeItsBoxAndFalseLeadsPastIt() {
        String diagram = Diagram.mermaid(booking("      when: input.amount > 0\n"));

        assertHasLines(diagram, List.of("s0 --> c1", "c1 -->|true| s1", "c1 -->|false| s4"));
    }

    @Test
    void aFailingItemUndoesEveryItemThatRanInOneUndoThenTheStepsBeforeTheGroup() {
        String reverse = Diagram.mermaid(booking(""));
        String sideBySide = Diagram.mermaid(booking("      compensation: parallel\n"));

        // whichever item fails, and the save after the group, lead to the items' undo, then to the hold's
        for (String diagram : List.of(reverse, sideBySide)) {
            assertHasLines(diagram, List.of("s1 -.->|fails| u1", "s4 -.->|fails| u1", "u1 -.-> u0", "u0 -.-> compensated",
                    "u1 -.->|keeps failing| escalated"));
            assertTrue(diagram.lines().noneMatch(l -> l.startsWith("  uf") || l.startsWith("  uj")), diagram);
        }
        // the undo says in which order the items are undone
        assertHasLines(reverse, List.of("u1[\"undo assign-seat[i]<br/>DELETE airline /seats/${item.number}<br/>every item that ran,"
                + " the last first\"]:::undo"));
        assertHasLines(sideBySide, List.of("u1[\"undo assign-seat[i]<br/>DELETE airline /seats/${item.number}<br/>every item that"
                + " ran, side by side\"]:::undo"));
    }

    @Test
    void aForEachsNodeShowsTheMostTellingMarkOfItsItems() {
        // given the second seat failed while the first was taken and the third never had an item; the first is being undone
        Diagram.Overlay failing = new Diagram.Overlay(Map.of(0, Diagram.Mark.DONE, 1, Diagram.Mark.DONE, 2, Diagram.Mark.FAILED,
                3, Diagram.Mark.SKIPPED), Map.of(1, Diagram.Mark.RUNNING), SagaStatus.COMPENSATING);
        // and a saga whose two seats were taken, the third skipped
        Diagram.Overlay taken = new Diagram.Overlay(Map.of(0, Diagram.Mark.DONE, 1, Diagram.Mark.DONE, 2, Diagram.Mark.DONE,
                3, Diagram.Mark.SKIPPED), Map.of(), SagaStatus.RUNNING);

        String diagram = Diagram.mermaid(booking(""), failing);

        // then the failure is what the step shows, not the seat taken beside it; the undo shows the first seat's
        assertHasLines(diagram, List.of("class s1 stepFailed", "class u1 stepRunning"));
        assertTrue(diagram.lines().noneMatch(l -> l.startsWith("  class s2") || l.startsWith("  class s3")), diagram);
        assertHasLines(Diagram.mermaid(booking(""), taken), List.of("class s1 stepDone"));
    }
}
