package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.steps.OwnershipPolicy;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compensation plan, in memory: what compensating by hand would do, by the operation's own rule. */
class CompensationPlanTest {

    private static final StepDefinition ADD = new StepDefinition("tt-add-user", StepKind.REMOTE, "ttAddUser", "ttDeleteUser",
            Duration.ofSeconds(5), RetryPolicy.DEFAULT, RetryPolicy.DEFAULT, FailurePolicy.COMPENSATE);
    private static final StepDefinition SAVE = new StepDefinition("save-liaison", StepKind.LOCAL, "saveLiaison", "deleteLiaison",
            Duration.ofSeconds(5), RetryPolicy.DEFAULT, RetryPolicy.DEFAULT, FailurePolicy.COMPENSATE);
    private static final StepDefinition PUSH = new StepDefinition("push-crm", StepKind.OUTBOX, "pushCrm", null,
            Duration.ofSeconds(5), RetryPolicy.DEFAULT, RetryPolicy.DEFAULT, FailurePolicy.ESCALATE);
    private static final SagaDefinition USER_SYNC = definition(ADD, SAVE);

    private static final JsonNode CREATED = JsonNodeFactory.instance.objectNode().put("remoteUserId", "42").put("ownership", "CREATED");
    private static final JsonNode PRE_EXISTING = JsonNodeFactory.instance.objectNode().put("remoteUserId", "42")
            .put("ownership", "PRE_EXISTING");
    private static final JsonNode LIAISON = JsonNodeFactory.instance.objectNode().put("liaisonId", 7);

    /** Describes a request by the step's name and the effect it sees, so a test can tell what the describer was given. */
    private static final CompensationPlan.Describer DESCRIBE = (saga, step) -> JsonNodeFactory.instance.objectNode()
            .put("to", step.compensation()).put("sees", saga.stepState(step.name()).effect().name());

    @Test
    void aCompletedSagaPlansEveryStepLatestFirstAndSaysItNeedsForce() {
        // given a COMPLETED user-sync saga
        SagaSnapshot saga = completed(CREATED);

        // when its plan is asked without force
        CompensationPlan plan = CompensationPlan.of(USER_SYNC, saga, false, false, null, null, DESCRIBE);

        // then both steps would be undone, the local save first, and compensating now would be refused for want of force
        assertTrue(plan.needsForce());
        assertTrue(plan.refusal().contains("\"force\": true"), plan.refusal());
        assertEquals(List.of("save-liaison", "tt-add-user"), plan.steps().stream().map(CompensationPlan.Step::name).toList());
        assertTrue(plan.steps().stream().allMatch(CompensationPlan.Step::undo));
        assertEquals("deleteLiaison", plan.steps().get(0).request().path("to").asText());
        assertEquals("ttDeleteUser", plan.steps().get(1).request().path("to").asText());
        assertEquals("CREATED", plan.steps().get(1).ownership());
        assertEquals("escalate", plan.steps().get(1).onUncertainOwnership());
        assertNull(plan.steps().get(0).onUncertainOwnership(), "a local step never meets uncertain ownership");

        // and with force, nothing is refused
        assertNull(CompensationPlan.of(USER_SYNC, saga, true, false, null, null, DESCRIBE).refusal());
    }

    @Test
    void aStuckSagaWhoseCallWasInterruptedPlansItsUndoAsPossiblyDoneAndSkipsWhatItNeverReached() {
        // given a RUNNING saga whose owner died with the add's intent open, and a step choosing keep
        SagaDefinition keeping = definition(withPolicy(ADD, OwnershipPolicy.KEEP), SAVE);
        SagaSnapshot saga = running(0);

        // when its plan is asked
        CompensationPlan plan = CompensationPlan.of(keeping, saga, false, true, null, null, DESCRIBE);

        // then the add is undone as possibly done (and the describer sees it so), the save was never reached
        assertNull(plan.refusal());
        CompensationPlan.Step save = plan.steps().get(0);
        assertFalse(save.undo());
        assertEquals("not reached: the saga never got there", save.why());
        assertNull(save.request());
        CompensationPlan.Step add = plan.steps().get(1);
        assertTrue(add.undo());
        assertEquals("UNCERTAIN", add.effect());
        assertEquals("UNCERTAIN", add.request().path("sees").asText());
        assertEquals("keep", add.onUncertainOwnership());
        assertTrue(add.why().contains("onUncertainOwnership leaves it in place and records why"), add.why());
    }

    @Test
    void aPreExistingEffectIsPlannedAsKeptByItsCompensation() {
        // given a completed saga whose remote user existed before it
        // when its forced plan is asked
        CompensationPlan plan = CompensationPlan.of(USER_SYNC, completed(PRE_EXISTING), true, false, null, null, DESCRIBE);

        // then the add's compensation runs and leaves the user in place
        CompensationPlan.Step add = plan.steps().get(1);
        assertEquals("PRE_EXISTING", add.ownership());
        assertTrue(add.why().contains("existed before this saga"), add.why());
    }

    @Test
    void aStepThatMayHaveTakenEffectWithoutCompensationIsRefusedInTheOperationsWords() {
        // given a RUNNING saga whose outbox call (no compensation) was interrupted
        SagaDefinition outbox = definition(SAVE, PUSH);
        SagaSnapshot saga = running(1).withStepState("save-liaison", new StepState(Effect.DONE, LIAISON));

        // when its plan is asked
        CompensationPlan plan = CompensationPlan.of(outbox, saga, false, true, null, null, DESCRIBE);

        // then it says what the operation would answer
        Decision refused = SagaTransitions.decide(outbox, saga, new Event.OperatorCompensate(false, true, "alice: stop"));
        assertEquals(assertInstanceOf(Decision.Refused.class, refused).reason(), plan.refusal());
        assertEquals("it has no compensation", plan.steps().get(0).why());
    }

    @Test
    void aRefusalBeforeTheRuleIsAskedIsThePlansRefusal() {
        // given a saga an instance is advancing (the caller found its lease live)
        // when its plan is asked
        CompensationPlan plan = CompensationPlan.of(USER_SYNC, running(1).withStepState("tt-add-user",
                new StepState(Effect.DONE, CREATED)), false, false, null, "Instance a is advancing this saga right now", DESCRIBE);

        // then that is why compensating now would be refused, and the steps still show what it would undo
        assertEquals("Instance a is advancing this saga right now", plan.refusal());
        assertTrue(plan.steps().get(1).undo());
    }

    @Test
    void thePlanUndoesExactlyTheStepsTheEngineVisits() {
        // given sagas in every state compensation by hand starts from
        SagaDefinition three = definition(ADD, SAVE, withName(ADD, "tt-add-role"));
        List<SagaSnapshot> sagas = List.of(
                completed(CREATED).withStepState("tt-add-role", new StepState(Effect.DONE, CREATED)).atStep(3),
                running(2).withStepState("tt-add-user", new StepState(Effect.DONE, CREATED))
                        .withStepState("save-liaison", new StepState(Effect.DONE, LIAISON)),
                running(2).withStepState("tt-add-user", new StepState(Effect.UNCERTAIN, null)),
                running(0));
        for (SagaSnapshot saga : sagas) {
            for (boolean interrupted : new boolean[]{false, true}) {
                // when the plan is asked, and the operation is carried out with every compensation succeeding
                CompensationPlan plan = CompensationPlan.of(three, saga, true, interrupted, null, null, DESCRIBE);
                List<String> visited = new ArrayList<>();
                Decision d = SagaTransitions.decide(three, saga, new Event.OperatorCompensate(true, interrupted, "alice: undo"));
                while (d.next().status() == SagaStatus.COMPENSATING) {
                    visited.add(three.step(d.next().stepIndex()).name());
                    d = SagaTransitions.decide(three, d.next(), new Event.StepSucceeded(null));
                }

                // then the plan undoes what the engine visits, in that order
                assertEquals(visited, plan.steps().stream().filter(CompensationPlan.Step::undo).map(CompensationPlan.Step::name)
                        .toList(), saga + " interrupted=" + interrupted);
            }
        }
    }

    private static StepDefinition withPolicy(StepDefinition s, OwnershipPolicy policy) {
        return new StepDefinition(s.name(), s.kind(), s.action(), s.compensation(), s.timeout(), s.retry(), s.compensationRetry(),
                s.onFailure(), s.http(), s.compensationHttp(), s.deadline(), policy);
    }

    private static StepDefinition withName(StepDefinition s, String name) {
        return new StepDefinition(name, s.kind(), s.action(), s.compensation(), s.timeout(), s.retry(), s.compensationRetry(),
                s.onFailure());
    }

    private static SagaSnapshot running(int stepIndex) {
        return new SagaSnapshot(UUID.randomUUID(), "user-sync", 1, "hash", SagaStatus.RUNNING, "key",
                JsonNodeFactory.instance.objectNode().put("name", "张三"), null, stepIndex, 1, 0, Map.of(), 1, null, Instant.EPOCH, null);
    }

    private static SagaSnapshot completed(JsonNode remoteUser) {
        return running(2).withStepState("tt-add-user", new StepState(Effect.DONE, remoteUser))
                .withStepState("save-liaison", new StepState(Effect.DONE, LIAISON)).withResult(LIAISON).withStatus(SagaStatus.COMPLETED);
    }

    private static SagaDefinition definition(StepDefinition... steps) {
        return new SagaDefinition("user-sync", 1, "in memory", List.of(steps), "hash", "in memory");
    }
}
