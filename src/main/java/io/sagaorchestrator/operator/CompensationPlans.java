package io.sagaorchestrator.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.core.CompensationPlan;
import io.sagaorchestrator.runtime.SagaEngine;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.core.SagaTransitions;
import io.sagaorchestrator.definitions.Group;
import java.util.Set;
import java.util.TreeSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The compensation plan of a saga, read without changing or locking anything: what compensating it would undo, with
 * the same checks and refusals as {@link ManualOperations} (see {@link CompensationPlan}).
 */
@ApplicationScoped
public class CompensationPlans {

    private final SagaLog log;
    private final ManualOperations operations;
    private final SagaEngine engine;
    private final ObjectMapper json;

    CompensationPlans(SagaLog log, ManualOperations operations, SagaEngine engine, ObjectMapper json) {
        this.log = log;
        this.operations = operations;
        this.engine = engine;
        this.json = json;
    }

    /**
     * @throws SagaNotFoundException     when there is no such saga
     * @throws OperationRefusedException when the saga is in a state compensation is never asked of (it has nothing to
     *                                   undo by hand, e.g. COMPENSATED), or this release cannot read its definition
     */
    public CompensationPlan plan(UUID sagaId, boolean forced) {
        SagaLog.Locked held = log.peek(sagaId).orElseThrow(() -> new SagaNotFoundException(sagaId));
        SagaSnapshot found = held.saga();
        String refusedBefore = ManualOperations.refusedBeforeDeciding(held, Operation.COMPENSATE);
        if (!Operation.COMPENSATE.allowedFrom(found.status())) {
            throw new OperationRefusedException(sagaId, found.status(), refusedBefore);
        }
        SagaDefinition definition = operations.definition(found);
        SagaSnapshot saga = asFound(log, held, definition);
        return CompensationPlan.of(definition, saga, forced, interruptedAttempt(log, held, definition),
                operations.laterSagaOnKey(saga, false), refusedBefore, this::describe);
    }

    /**
     * What a bulk compensate over these sagas would do, before it is submitted.
     *
     * @param sagas          how many sagas the filter matches now
     * @param wouldUndo      how many of them compensating would start to undo
     * @param wouldBeRefused how many would be refused, counted by the refusal's words
     * @param steps          for the sagas that would be undone: per definition and step, how many would have it undone and
     *                       how many would skip it, by why
     */
    public record Totals(int sagas, int wouldUndo, int wouldBeRefused, Map<String, Integer> refusals, List<StepTotal> steps) {
    }

    public record StepTotal(String definition, String step, int undo, Map<String, Integer> skipped) {
    }

    public Totals totals(List<UUID> sagas, boolean forced) {
        Map<String, Integer> refusals = new TreeMap<>();
        Map<List<String>, Integer> undone = new LinkedHashMap<>();
        Map<List<String>, Map<String, Integer>> skipped = new LinkedHashMap<>();
        int wouldUndo = 0;
        for (UUID id : sagas) {
            CompensationPlan plan;
            try {
                plan = plan(id, forced);
            } catch (OperationRefusedException e) {
                refusals.merge(e.getMessage(), 1, Integer::sum);
                continue;
            } catch (SagaNotFoundException e) {
                continue; // purged since it matched: there is nothing left to undo
            }
            if (plan.refusal() != null) {
                refusals.merge(plan.refusal(), 1, Integer::sum);
                continue;
            }
            wouldUndo++;
            for (CompensationPlan.Step s : plan.steps()) {
                List<String> key = List.of(plan.definition(), s.name());
                undone.merge(key, s.undo() ? 1 : 0, Integer::sum);
                Map<String, Integer> why = skipped.computeIfAbsent(key, k -> new TreeMap<>());
                if (!s.undo()) {
                    why.merge(s.why(), 1, Integer::sum);
                }
            }
        }
        List<StepTotal> steps = new ArrayList<>();
        undone.forEach((key, n) -> steps.add(new StepTotal(key.get(0), key.get(1), n, skipped.get(key))));
        return new Totals(sagas.size(), wouldUndo, refusals.values().stream().mapToInt(Integer::intValue).sum(), refusals, steps);
    }

    /**
     * Whether the operation would find an intent of the current step left without outcome by an owner that is gone
     * (it closes it as unknown and undoes the step as possibly done); a live owner's attempt is still its own.
     */
    static boolean interruptedAttempt(SagaLog log, SagaLog.Locked held, SagaDefinition definition) {
        SagaSnapshot saga = held.saga();
        if (saga.status() != SagaStatus.RUNNING || held.leaseLive() || definition.groupAt(saga.stepIndex()) != null) {
            return false; // a group's branches are marked one by one: see asFound
        }
        String current = definition.step(saga.stepIndex()).name();
        return log.attempts(saga.id()).stream().anyMatch(a -> a.pendingOn(current, Direction.FORWARD));
    }

    /**
     * The saga as an operation would find it: at a group whose owner is gone, every branch with an intent left without
     * outcome may have taken effect.
     */
    static SagaSnapshot asFound(SagaLog log, SagaLog.Locked held, SagaDefinition definition) {
        SagaSnapshot saga = held.saga();
        Group group = definition.groupAt(saga.stepIndex());
        if (saga.status() != SagaStatus.RUNNING || held.leaseLive() || group == null) {
            return saga;
        }
        Set<String> pending = new TreeSet<>();
        for (var a : log.attempts(saga.id())) {
            if (a.direction() == Direction.FORWARD && a.outcome() == Outcome.PENDING && group.contains(definition.indexOf(a.stepName()))) {
                pending.add(a.stepName());
            }
        }
        return SagaTransitions.interruptedBranches(definition, saga, pending);
    }

    /** What the compensation's intent would record of its request: a local compensation sends none. */
    private JsonNode describe(SagaSnapshot saga, StepDefinition step) {
        if (!step.kind().callsThirdParty()) {
            return null;
        }
        try {
            return engine.describeRequest(saga, step, Direction.COMPENSATION, 1);
        } catch (RuntimeException e) {
            // the engine would fail the attempt the same way: say so instead of failing the whole plan
            return json.createObjectNode().put("notDescribable", step.compensation() + " cannot describe its request from"
                    + " this saga: " + e.getMessage());
        }
    }
}
