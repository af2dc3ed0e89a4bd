package io.sagaorchestrator.definitions;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a skipped step's output must hold, and what moving a saga to another version of its definition changes. */
class DefinitionChangesTest {

    private final DefinitionParser parser = new DefinitionParser(NamedActions.SHIPPED);

    private static String shop() throws IOException {
        return Files.readString(Path.of("src/test/resources/saga-definitions/http-shop-test.yaml"));
    }

    @Test
    void aStepsOutputMustHoldWhatLaterCallsAndItsOwnCompensationRead() throws IOException {
        // given declared calls: charge reads reserve's reservationId, each compensation reads its step's id
        SagaDefinition d = new DefinitionParser(NamedActions.NONE).parse("shop.yaml", shop());

        // then those are the fields each output must hold
        assertEquals(Set.of("reservationId"), d.outputReads("reserve"));
        assertEquals(Set.of("chargeId"), d.outputReads("charge"));
    }

    @Test
    void aStepOfActionBeansDeclaresNoReadsInTheDefinition() {
        SagaDefinition d = parser.parse("v1.yaml", userSync(6, 12, ""));
        assertEquals(Set.of(), d.outputReads("tt-add-user"));
    }

    @Test
    void changedPoliciesAndStepsAheadAreListedAndDoNotStopTheMove() {
        // given v1 with a small compensation budget, and v2 with a larger one and a third step
        SagaDefinition v1 = parser.parse("v1.yaml", userSync(6, 1, ""));
        SagaDefinition v2 = parser.parse("v2.yaml", userSync(6, 12, """
                  - name: save-again
                    type: local
                    action: saveLiaison
                """));

        // when a saga that passed the first step is compared
        DefinitionChanges changes = DefinitionChanges.between(v1, v2, 0);

        // then it may move, and the change of policy and the added step are listed
        assertTrue(changes.fits(), changes.mismatches().toString());
        assertEquals(List.of("step 'tt-add-user' compensationRetry.attempts: 1 -> 12"), changes.policies());
        assertEquals(List.of("step 3 'save-again' is added"), changes.stepsAhead());
    }

    @Test
    void aPassedStepWhoseKindOrCompensationDiffersStopsTheMove() {
        SagaDefinition v1 = parser.parse("v1.yaml", userSync(6, 12, ""));
        SagaDefinition v2 = parser.parse("v2.yaml", userSync(6, 12, "").replace("compensation: deleteLiaison", ""));

        DefinitionChanges changes = DefinitionChanges.between(v1, v2, 1);

        assertFalse(changes.fits());
        assertEquals(List.of("step 2 'save-liaison' has been passed, but in v2 compensation: deleteLiaison -> null"),
                changes.mismatches());
    }

    private static String userSync(int attempts, int compensationAttempts, String more) {
        return """
                name: user-sync
                version: %d
                steps:
                  - name: tt-add-user
                    type: remote
                    action: ttAddUser
                    compensation: ttDeleteUser
                    retry: { attempts: %d, inProcess: { attempts: 1 } }
                    compensationRetry: { attempts: %d, inProcess: { attempts: 1 } }
                  - name: save-liaison
                    type: local
                    action: saveLiaison
                    compensation: deleteLiaison
                %s""".formatted(compensationAttempts == 12 ? 2 : 1, attempts, compensationAttempts, more);
    }
}
