package io.sagaorchestrator.definitions;

import io.sagaorchestrator.steps.OwnershipPolicy;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad definition is refused with a message that names the file, the place and the fault. */
class DefinitionParserTest {

    private static final KnownActions ACTIONS = NamedActions.SHIPPED;

    private final DefinitionParser parser = new DefinitionParser(ACTIONS);

    private static final String GOOD = """
            name: demo
            version: 2
            steps:
              - name: add
                type: remote
                action: ttAddUser
                compensation: ttDeleteUser
                timeout: 3s
                retry:
                  attempts: 4
                  inProcess: { attempts: 2, delay: 250ms }
                  backoff: { initialDelay: 1s, multiplier: 3, maxDelay: 1m, jitter: 0.1 }
              - name: save
                type: local
                action: saveLiaison
            """;

    private String faultOf(String yaml) {
        return assertThrows(InvalidDefinitionException.class, () -> parser.parse("demo.yaml", yaml)).getMessage();
    }

    @Test
    void aGoodDefinitionReadsAsWritten() {
        SagaDefinition d = parser.parse("demo.yaml", GOOD);

        assertEquals("demo", d.name());
        assertEquals(2, d.version());
        assertEquals(2, d.stepCount());
        StepDefinition add = d.step(0);
        assertEquals(StepKind.REMOTE, add.kind());
        assertEquals("ttDeleteUser", add.compensation());
        assertEquals(Duration.ofSeconds(3), add.timeout());
        assertEquals(4, add.retry().attempts());
        assertEquals(Duration.ofMillis(250), add.retry().inProcessDelay());
        assertEquals(3.0, add.retry().multiplier());
        // unspecified parts take the defaults: retry transient failures, abort on rejections
        assertTrue(add.compensationRetry().isRetryable(new UnknownOutcomeFailure("x", null)));
        assertFalse(add.compensationRetry().isRetryable(new RejectedFailure("x")));
        assertFalse(d.step(1).hasCompensation());
    }

    @Test
    void theHashFollowsTheContent() {
        String first = parser.parse("demo.yaml", GOOD).hash();
        assertEquals(first, parser.parse("demo.yaml", GOOD).hash());
        assertNotEquals(first, parser.parse("demo.yaml", GOOD.replace("attempts: 4", "attempts: 5")).hash());
    }

    @Test
    void aSyntaxErrorNamesTheFileAndTheLine() {
        String fault = faultOf("name: demo\nsteps:\n  - name: add\n    type: [remote\n");
        assertTrue(fault.startsWith("Invalid saga definition demo.yaml, line "), fault);
    }

    @Test
    void aMisspelledKeyIsNamed() {
        String fault = faultOf(GOOD.replace("attempts: 4", "atempts: 4"));
        assertTrue(fault.contains("demo.yaml") && fault.contains("atempts"), fault);
    }

    @Test
    void anUnknownActionIsNamedWithTheStepAndTheKnownOnes() {
        String fault = faultOf(GOOD.replace("action: ttAddUser", "action: ttAdUser"));
        assertEquals("Invalid saga definition demo.yaml, line 6, steps[0] 'add': action 'ttAdUser' is not a known remote action"
                + " (known: ttAddUser, ttDeleteUser)", fault);
    }

    @Test
    void aLocalActionCannotServeAsARemoteOne() {
        String fault = faultOf(GOOD.replace("action: ttAddUser", "action: saveLiaison"));
        assertTrue(fault.contains("'saveLiaison' is not a known remote action"), fault);
    }

    @Test
    void aRemoteStepWithoutCompensationIsRefused() {
        String fault = faultOf(GOOD.replace("    compensation: ttDeleteUser\n", ""));
        assertTrue(fault.contains("steps[0] 'add': remote step 'add' has no compensation"), fault);
    }

    @Test
    void aDuplicateStepNameIsRefused() {
        String fault = faultOf(GOOD.replace("name: save", "name: add"));
        assertTrue(fault.contains("step name 'add' is used twice"), fault);
    }

    @Test
    void aBadDurationIsRefused() {
        String fault = faultOf(GOOD.replace("timeout: 3s", "timeout: soon"));
        assertTrue(fault.contains("steps[0] 'add': timeout 'soon' is not a duration"), fault);
    }

    @Test
    void aDeadlineForTheSagaAndOneForAStepReadAsWritten() {
        SagaDefinition d = parser.parse("demo.yaml", GOOD.replace("version: 2\n", "version: 2\ndeadline: 10m\n")
                .replace("    timeout: 3s\n", "    timeout: 3s\n    deadline: 90s\n"));

        assertEquals(Duration.ofMinutes(10), d.deadline());
        assertEquals(Duration.ofSeconds(90), d.step(0).deadline());
        // a step without one of its own has only the saga's
        assertEquals(null, d.step(1).deadline());
        assertEquals(null, parser.parse("demo.yaml", GOOD).deadline());
    }

    @Test
    void aBadDeadlineOfTheSagaIsRefusedWithItsLine() {
        String fault = faultOf(GOOD.replace("version: 2\n", "version: 2\ndeadline: soon\n"));
        assertEquals("Invalid saga definition demo.yaml, line 3, deadline: deadline 'soon' is not a duration (write e.g. 500ms, 2s, 5m)",
                fault);
    }

    @Test
    void aDeadlineOfAStepMustBePositive() {
        String fault = faultOf(GOOD.replace("    timeout: 3s\n", "    timeout: 3s\n    deadline: 0s\n"));
        assertEquals("Invalid saga definition demo.yaml, line 9, steps[0] 'add': deadline '0s' must be positive", fault);
    }

    @Test
    void anUnknownFailureKindIsRefused() {
        String fault = faultOf(GOOD.replace("      attempts: 4\n", "      attempts: 4\n      retryOn: [Flaky]\n"));
        assertTrue(fault.contains("failure kind 'Flaky' is not an exception class"), fault);
    }

    @Test
    void anImpossiblePolicyIsRefused() {
        String fault = faultOf(GOOD.replace("jitter: 0.1", "jitter: 1.5"));
        assertTrue(fault.contains("retry: backoff.jitter must be between 0 and 1"), fault);
    }

    @Test
    void theShippedUserSyncDefinitionIsValid() throws IOException {
        String yaml = Files.readString(Path.of("saga-definitions/user-sync.yaml"));
        SagaDefinition d = parser.parse("user-sync.yaml", yaml);
        assertEquals("user-sync", d.name());
        assertEquals("tt-add-user", d.step(0).name());
        assertEquals("save-liaison", d.step(1).name());
        // the phone search of the API finds user-sync sagas because the definition declares it
        assertEquals(java.util.List.of("phone"), d.search());
    }

    // ---- onUncertainOwnership ----

    @Test
    void uncertainOwnershipEscalatesUnlessTheStepSaysOtherwise() {
        assertEquals(OwnershipPolicy.ESCALATE, parser.parse("demo.yaml", GOOD).step(0).onUncertainOwnership());

        SagaDefinition keep = parser.parse("demo.yaml", GOOD.replace("    compensation: ttDeleteUser\n",
                "    compensation: ttDeleteUser\n    onUncertainOwnership: keep\n"));
        assertEquals(OwnershipPolicy.KEEP, keep.step(0).onUncertainOwnership());
    }

    @Test
    void anUnknownOwnershipPolicyIsRefusedWithItsLine() {
        String fault = faultOf(GOOD.replace("    compensation: ttDeleteUser\n",
                "    compensation: ttDeleteUser\n    onUncertainOwnership: delete\n"));
        assertTrue(fault.contains("line 8, steps[0] 'add': onUncertainOwnership 'delete' is not one of escalate, compensate, keep"),
                fault);
    }

    @Test
    void anOwnershipPolicyOnALocalStepIsRefused() {
        // a local step's effect commits with the saga log: it is never of uncertain ownership, so the key would promise nothing
        String fault = faultOf(GOOD + "    compensation: deleteLiaison\n    onUncertainOwnership: compensate\n");
        assertTrue(fault.contains("line 17, steps[1] 'save': onUncertainOwnership applies only to a remote or outbox step"), fault);
    }

    @Test
    void aKeyReadsAsWrittenAndGivesEachInputItsValue() {
        SagaDefinition d = parser.parse("demo.yaml", GOOD.replace("version: 2\n",
                "version: 2\nkey: \"tt-user:${input.username}/${input.org.id}\"\nonLiveKey: refuse\n"));

        assertEquals(LiveKey.WhileLive.REFUSE, d.liveKey().whileLive());
        assertEquals("tt-user:zhangsan13800000000/7", d.liveKey().valueFor(new ObjectMapper().createObjectNode()
                .put("username", "zhangsan13800000000").set("org", new ObjectMapper().createObjectNode().put("id", 7))));
        // waiting is what a second start does unless the definition says otherwise; without a key there is none
        assertEquals(LiveKey.WhileLive.WAIT, parser.parse("demo.yaml", GOOD.replace("version: 2\n",
                "version: 2\nkey: k-${input.username}\n")).liveKey().whileLive());
        assertNull(parser.parse("demo.yaml", GOOD).liveKey());
    }

    @Test
    void anInputWithoutTheKeysFieldIsRefusedNamingIt() {
        LiveKey key = parser.parse("demo.yaml", GOOD.replace("version: 2\n", "version: 2\nkey: k-${input.username}\n")).liveKey();

        KeyNotInInputException e = assertThrows(KeyNotInInputException.class,
                () -> key.valueFor(new ObjectMapper().createObjectNode().put("name", "x")));

        assertEquals("username", e.field());
        assertEquals("input.username has no value, and the saga's key k-${input.username} reads it", e.getMessage());
    }

    @Test
    void aKeyThatCannotBeKnownBeforeTheSagaRunsIsRefusedWithItsLine() {
        String fault = faultOf(GOOD.replace("version: 2\n", "version: 2\nkey: \"u-${steps.add.output.remoteUserId}\"\n"));
        assertTrue(fault.contains("line 3, key: key 'u-${steps.add.output.remoteUserId}' reads ${steps.add.output.remoteUserId}:"
                + " a key may read only the input"), fault);

        fault = faultOf(GOOD.replace("version: 2\n", "version: 2\nkey: everything\n"));
        assertTrue(fault.contains("line 3, key: key 'everything' reads no field of the input"), fault);

        fault = faultOf(GOOD.replace("version: 2\n", "version: 2\nkey: k-${input.username}\nonLiveKey: attach\n"));
        assertTrue(fault.contains("line 4, onLiveKey: 'attach' is neither 'wait' nor 'refuse'"), fault);

        fault = faultOf(GOOD.replace("version: 2\n", "version: 2\nonLiveKey: wait\n"));
        assertTrue(fault.contains("the definition declares no 'key'"), fault);
    }

    @Test
    void aKeyMustReadAFieldOfTheDeclaredInput() {
        String fault = faultOf(GOOD.replace("version: 2\n", "version: 2\ninput:\n  phone: { type: string, required: true }\n"
                + "key: k-${input.username}\n"));
        assertTrue(fault.contains("key: reads input.username, which is not a field of input (fields: phone)"), fault);
    }

    @Test
    void searchFieldsReadAsWrittenAndADefinitionWithoutThemHasNone() {
        SagaDefinition d = parser.parse("demo.yaml", GOOD.replace("version: 2\n", "version: 2\nsearch: [phone, email]\n"));
        assertEquals(java.util.List.of("phone", "email"), d.search());
        assertEquals(java.util.List.of(), parser.parse("demo.yaml", GOOD).search());
    }

    @Test
    void aSearchFieldMustBeAPlainFieldOfTheDeclaredInputAndIsRefusedWithItsLine() {
        String withInput = GOOD.replace("version: 2\n", "version: 2\ninput:\n  phone: { type: string, required: true }\n"
                + "  address: { type: object }\n");
        String fault = faultOf(withInput.replace("steps:\n", "search: [phone, username]\nsteps:\n"));
        assertTrue(fault.contains("line 6, search: 'username' is not a field of input (fields: phone, address)"), fault);
        fault = faultOf(withInput.replace("steps:\n", "search: [address]\nsteps:\n"));
        assertTrue(fault.contains("line 6, search: 'address' is an object"), fault);
        fault = faultOf(withInput.replace("steps:\n", "search: [phone, phone]\nsteps:\n"));
        assertTrue(fault.contains("line 6, search: names 'phone' twice"), fault);
        fault = faultOf(GOOD.replace("version: 2\n", "version: 2\nsearch: [input.phone]\n"));
        assertTrue(fault.contains("line 3, search: 'input.phone' is not the name of an input field"), fault);
    }
}
