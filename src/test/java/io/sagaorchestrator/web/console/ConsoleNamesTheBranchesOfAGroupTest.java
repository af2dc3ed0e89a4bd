package io.sagaorchestrator.web.console;

import io.sagaorchestrator.definitions.BookingWithAForEach;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.SignupWithAGroup;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A definition's page says, in its table of steps, which steps are branches of which parallel group or forEach. */
class ConsoleNamesTheBranchesOfAGroupTest {

    @Test
    void eachBranchNamesItsGroupItsPlaceInItAndHowManyRunAtOnce() {
        SagaDefinition d = SignupWithAGroup.withGroupKeys("");

        assertEquals("accounts: branch 1 of 2, all at once", ConsoleFormat.branchOf(d, 1));
        assertEquals("accounts: branch 2 of 2, all at once", ConsoleFormat.branchOf(d, 2));
        assertEquals("accounts: branch 2 of 2, at most 1 at once",
                ConsoleFormat.branchOf(SignupWithAGroup.withGroupKeys("      maxConcurrency: 1\n"), 2));
    }

    @Test
    void eachBranchOfAGroupUndoneSideBySideSaysSo() {
        SagaDefinition d = SignupWithAGroup.withGroupKeys("      maxConcurrency: 1\n      compensation: parallel\n");

        assertEquals("accounts: branch 1 of 2, at most 1 at once, undone side by side", ConsoleFormat.branchOf(d, 1));
        // a group undone in reverse, as one that names no order is, says nothing of it
        assertEquals("accounts: branch 1 of 2, all at once",
                ConsoleFormat.branchOf(SignupWithAGroup.withGroupKeys("      compensation: reverse\n"), 1));
    }

    @Test
    void eachItemOfAForEachNamesItsPlaceInTheListAndTheList() {
        SagaDefinition d = BookingWithAForEach.withForEachKeys("      maxConcurrency: 2\n      compensation: parallel\n");

        assertEquals("seats: item 1 of at most 3 (each item of ${input.seats}), all at once",
                ConsoleFormat.branchOf(BookingWithAForEach.withForEachKeys(""), 1));
        assertEquals("seats: item 3 of at most 3 (each item of ${input.seats}), at most 2 at once, undone side by side",
                ConsoleFormat.branchOf(d, 3));
    }

    @Test
    void aStepThatRunsOnItsOwnNamesNoGroup() {
        SagaDefinition d = SignupWithAGroup.withGroupKeys("");

        assertEquals("", ConsoleFormat.branchOf(d, 0));
        assertEquals("", ConsoleFormat.branchOf(d, 3));
    }
}
