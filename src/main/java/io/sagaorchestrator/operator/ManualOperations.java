package io.sagaorchestrator.operator;

import io.sagaorchestrator.store.AuditTrail;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.definitions.DefinitionChanges;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.runtime.ActionRegistry;
import io.sagaorchestrator.core.Decision;
import io.sagaorchestrator.core.Event;
import io.sagaorchestrator.core.SagaTransitions;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.sagaorchestrator.telemetry.SagaTracing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import io.sagaorchestrator.definitions.Group;

/**
 * Compensate, retry, resolve, skip and re-plan by hand, and pause and resume. Each operation locks the saga's row,
 * checks that it fits the saga's state, changes the state through the same fenced write as the engine, and records an
 * audit entry, all in one transaction: two operators acting at once are serialized, and the second sees what the
 * first did. The work itself (undoing, retrying) is left to the engine: the saga is released with its wake-up time set
 * to now, and recovery picks it up within seconds.
 *
 * <p>A saga an instance is advancing right now (a live lease) is not touched: its step may be in
 * flight at the third party, and acting beside it could undo a user before it is created. Pause and
 * resume are the exception (see {@link #pauseOrResume}): they only decide whether a next attempt may begin.
 */
@ApplicationScoped
public class ManualOperations {

    private static final Logger LOG = Logger.getLogger(ManualOperations.class);

    /**
     * @param auditId the operation's audit entry; 0 for a dry run, which records none
     * @param plan    replan: what moving to the current definition changes; null for other operations
     * @param dryRun  replan: true when nothing was changed; null for other operations
     */
    public record Result(UUID sagaId, String operation, String statusBefore, String statusAfter, long auditId,
                         @JsonInclude(JsonInclude.Include.NON_NULL) DefinitionChanges plan,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Boolean dryRun) {

        public Result(UUID sagaId, String operation, String statusBefore, String statusAfter, long auditId) {
            this(sagaId, operation, statusBefore, statusAfter, auditId, null, null);
        }
    }

    private final SagaLog log;
    private final DefinitionRegistry definitions;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final SagaTracing tracing;
    private final ActionRegistry actions;

    ManualOperations(SagaLog log, DefinitionRegistry definitions, AuditTrail audit, ObjectMapper json, SagaTracing tracing,
                     ActionRegistry actions) {
        this.tracing = tracing;
        this.actions = actions;
        this.log = log;
        this.definitions = definitions;
        this.audit = audit;
        this.json = json;
    }

    /**
     * @throws SagaNotFoundException      when there is no such saga
     * @throws OperationRefusedException  when the operation does not fit the saga's state; nothing changes
     */
    @Transactional
    public Result apply(UUID sagaId, Operation operation, Actor actor, OperationRequest request) {
        SagaLog.Locked locked = log.lock(sagaId).orElseThrow(() -> new SagaNotFoundException(sagaId));
        SagaSnapshot saga = locked.saga();
        Span span = tracing.operation(saga, operation.path());
        try {
            Result result = apply(saga, locked, operation, actor, request);
            span.setAttribute(SagaTracing.STATUS, result.statusAfter());
            return result;
        } catch (OperationRefusedException e) {
            span.setStatus(StatusCode.ERROR, "refused");
            throw e;
        } finally {
            span.end();
        }
    }

    private Result apply(SagaSnapshot saga, SagaLog.Locked locked, Operation operation, Actor actor, OperationRequest request) {
        UUID sagaId = saga.id();
        String refusedBefore = refusedBeforeDeciding(locked, operation);
        if (refusedBefore != null) {
            throw new OperationRefusedException(sagaId, saga.status(), refusedBefore);
        }
        if (operation == Operation.PAUSE || operation == Operation.RESUME) {
            return pauseOrResume(saga, locked, operation, actor, request);
        }
        String note = actor.name() + " (" + operation.path() + "): " + request.reason();
        Decision decision = decide(interruptedBranches(saga, operation), operation, request, note, () -> interruptedAttempt(saga), true);
        if (decision instanceof Decision.Refused refused) {
            // rolls back whatever was marked on the way, e.g. an interrupted attempt
            throw new OperationRefusedException(sagaId, saga.status(), refused.reason());
        }
        SagaSnapshot next = decision.next();
        DefinitionChanges plan = operation == Operation.REPLAN
                ? SagaTransitions.changes(definition(saga), currentDefinition(saga), saga) : null;
        if (plan != null && request.dryRunOnly()) {
            // shows what would change and changes nothing: the transaction only held the row lock
            return new Result(sagaId, operation.path(), saga.status().name(), next.status().name(), 0, plan, true);
        }
        if (plan != null) {
            log.moveToDefinition(next);
        }
        // the work itself is left to the engine: a saga that goes on is released to recovery at once
        log.carryOut(decision, decision instanceof Decision.Park park ? park.wakeIn() : null);
        ObjectNode details = json.createObjectNode().put("stepIndex", saga.stepIndex()).put("attempt", saga.attempt())
                .put("forced", request.forced()).put("lastErrorBefore", saga.lastError());
        if (operation == Operation.SKIP) {
            details.put("step", request.step()).set("output", request.output());
        }
        if (plan != null) {
            details.set("plan", json.valueToTree(plan));
        }
        long auditId = audit.record(sagaId, operation.path(), actor.name(), actor.subject(), request.reason(), saga.status().name(),
                next.status().name(), details);
        LOG.infof("Saga %s: %s by %s (%s -> %s): %s", sagaId, operation.path(), actor.name(), saga.status(), next.status(), request.reason());
        return new Result(sagaId, operation.path(), saga.status().name(), next.status().name(), auditId, plan,
                plan == null ? null : false);
    }

    /**
     * What the core decides of a repair (not pause or resume), asked as the operation itself asks.
     *
     * @param interrupted whether an intent of the current step was left without outcome by an owner that is gone
     */
    /** @param lockKey take the saga's key's lock (the operation itself), or look without it (what it would accept) */
    private Decision decide(SagaSnapshot saga, Operation operation, OperationRequest request, String note,
                            BooleanSupplier interrupted, boolean lockKey) {
        return switch (operation) {
            case COMPENSATE -> SagaTransitions.decide(definition(saga), saga, new Event.OperatorCompensate(request.forced(),
                    interrupted.getAsBoolean(), note, laterSagaOnKey(saga, lockKey)));
            case RETRY -> SagaTransitions.decide(definition(saga), saga, new Event.OperatorRetry(lastAttemptForward(saga),
                    undoAttempts(saga)));
            case RESOLVE -> SagaTransitions.resolve(saga, note);
            case PAUSE, RESUME -> throw new IllegalStateException(operation + " is applied by pauseOrResume");
            case SKIP -> SagaTransitions.decide(definition(saga), saga, skip(saga, request, note, interrupted));
            case REPLAN -> SagaTransitions.decide(definition(saga), saga,
                    new Event.OperatorReplan(currentDefinition(saga), lastAttemptForward(saga), note));
        };
    }

    /** The operator's skip of the current step, with what the step's action bean says its output must hold. */
    private Event.OperatorSkip skip(SagaSnapshot saga, OperationRequest request, String note, BooleanSupplier interrupted) {
        SagaDefinition definition = definition(saga);
        StepDefinition step = definition.step(saga.stepIndex());
        Group group = definition.groupAt(saga.stepIndex());
        if (group != null) {
            // at a group, skip names the branch: its own action says what its output must hold
            step = definition.steps().subList(group.first(), group.last() + 1).stream()
                    .filter(b -> b.name().equals(request.step())).findFirst().orElse(step);
        }
        return new Event.OperatorSkip(request.step(), request.output(), actions.outputFields(step), lastAttemptForward(saga),
                interrupted.getAsBoolean(), request.forced(), note);
    }

    /**
     * The operations the core would accept on the saga now, read without changing or locking anything: what a refusal's
     * {@code allowed} lists. Each is asked as its most willing request: forced, and a skip of the current step with
     * every output field its readers need. Empty for a saga that is gone.
     */
    public List<String> allowedNow(UUID sagaId) {
        return log.peek(sagaId).map(held -> Arrays.stream(Operation.values()).filter(o -> wouldAccept(held, o))
                .map(Operation::path).toList()).orElse(List.of());
    }

    private boolean wouldAccept(SagaLog.Locked held, Operation operation) {
        if (refusedBeforeDeciding(held, operation) != null) {
            return false;
        }
        SagaSnapshot saga = held.saga();
        try {
            Decision decision = operation == Operation.PAUSE || operation == Operation.RESUME ? pauseOrResume(held, operation, "")
                    : decide(operation == Operation.COMPENSATE || operation == Operation.SKIP
                            ? CompensationPlans.asFound(log, held, definition(saga)) : saga, operation, mostWilling(saga, operation), "",
                    () -> CompensationPlans.interruptedAttempt(log, held, definition(saga)), false);
            return !(decision instanceof Decision.Refused);
        } catch (OperationRefusedException e) {
            return false; // its definition cannot be read, or there is none to move to
        }
    }

    /** The request of the operation that asks the least of the saga, so that only the saga's state can refuse it. */
    private OperationRequest mostWilling(SagaSnapshot saga, Operation operation) {
        if (operation != Operation.SKIP) {
            return new OperationRequest("", true);
        }
        // at a group, its first open branch
        StepDefinition step = SagaTransitions.openBranches(definition(saga), saga).stream().findFirst()
                .orElse(definition(saga).step(saga.stepIndex()));
        Set<String> reads = new TreeSet<>(definition(saga).outputReads(step.name()));
        reads.addAll(actions.outputFields(step));
        ObjectNode output = json.createObjectNode();
        for (String path : reads) {
            ObjectNode node = output;
            String[] fields = path.split("\\.");
            for (int i = 0; i < fields.length - 1; i++) {
                node = node.has(fields[i]) && node.get(fields[i]).isObject() ? (ObjectNode) node.get(fields[i])
                        : node.putObject(fields[i]);
            }
            node.put(fields[fields.length - 1], "given");
        }
        return new OperationRequest("", true, step.name(), output, null);
    }

    /** The version of the saga's definition this instance runs now, which a replan moves the saga to. */
    private SagaDefinition currentDefinition(SagaSnapshot saga) {
        return definitions.current(saga.definitionName()).orElseThrow(() -> new OperationRefusedException(saga.id(), saga.status(),
                "This release has no definition named " + saga.definitionName() + " to move the saga to"));
    }

    /**
     * Pause and resume act beside an attempt in flight, unlike the repairs: they change no state of the saga and not
     * its version, only whether its next attempt may begin (see {@link SagaLog#beginAttempt}). The row lock still
     * serializes two operators, and the second is told what the first did.
     */
    private Result pauseOrResume(SagaSnapshot saga, SagaLog.Locked locked, Operation operation, Actor actor,
                                 OperationRequest request) {
        Decision decision = pauseOrResume(locked, operation, actor.name());
        if (decision instanceof Decision.Refused refused) {
            throw new OperationRefusedException(saga.id(), saga.status(), refused.reason());
        }
        log.carryOut(decision, null);
        ObjectNode details = json.createObjectNode().put("stepIndex", saga.stepIndex()).put("attempt", saga.attempt());
        if (locked.leaseLive()) {
            // an attempt was in flight: a pause takes effect when it ends
            details.put("ownerAtWork", locked.owner());
        }
        if (locked.pause() != null) {
            details.put("pausedBy", locked.pause().by()).put("pausedSince", locked.pause().since().toString());
        }
        String status = saga.status().name();
        long auditId = audit.record(saga.id(), operation.path(), actor.name(), actor.subject(), request.reason(), status, status,
                details);
        LOG.infof("Saga %s: %s by %s (%s%s): %s", saga.id(), operation.path(), actor.name(), status,
                locked.leaseLive() ? ", an attempt in flight ends first" : "", request.reason());
        return new Result(saga.id(), operation.path(), status, status, auditId);
    }

    private static Decision pauseOrResume(SagaLog.Locked locked, Operation operation, String actor) {
        String pausedBy = locked.pause() == null ? null : locked.pause().by() + " at " + locked.pause().since();
        return operation == Operation.PAUSE ? SagaTransitions.pause(locked.saga(), pausedBy, actor)
                : SagaTransitions.resume(locked.saga(), pausedBy);
    }

    /** Why the operation does not fit the saga before its rule is even asked (its status, a live lease), or null. */
    static String refusedBeforeDeciding(SagaLog.Locked locked, Operation operation) {
        SagaSnapshot saga = locked.saga();
        if (!operation.allowedFrom(saga.status())) {
            return saga.status().withArticle() + " saga cannot be " + operation.pastTense();
        }
        // pause and resume act beside an attempt in flight (see pauseOrResume)
        if (locked.leaseLive() && operation != Operation.PAUSE && operation != Operation.RESUME) {
            return "Instance " + locked.owner() + " is advancing this saga right now (lease until " + locked.wakeAt()
                    + "); try again once its current step has ended";
        }
        return null;
    }

    /** The definition the saga runs on; one this release cannot run leaves only resolve by hand. */
    SagaDefinition definition(SagaSnapshot saga) {
        try {
            return definitions.forSaga(saga.definitionName(), saga.definitionVersion(), saga.definitionHash());
        } catch (RuntimeException e) {
            throw new OperationRefusedException(saga.id(), saga.status(), "This release cannot run the saga's definition ("
                    + e.getMessage() + "); repair it by hand and resolve it");
        }
    }

    /**
     * Closes an intent the saga's owner never closed (the call may have happened) and tells whether
     * there was one. Only a RUNNING saga's current step can have one that matters for compensating:
     * a COMPLETED saga has none, and a compensation's own intents are the engine's to reconcile.
     */
    private boolean interruptedAttempt(SagaSnapshot saga) {
        if (saga.status() != SagaStatus.RUNNING || definition(saga).groupAt(saga.stepIndex()) != null) {
            return false;
        }
        String current = definition(saga).step(saga.stepIndex()).name();
        return log.markPendingUnknown(saga.id(), current, Direction.FORWARD) > 0;
    }

    /**
     * At a group, an undo or a skip closes every branch's intent the saga's owner never closed (as {@link #interruptedAttempt}
     * does for a single step): each of those branches may have taken effect.
     */
    private SagaSnapshot interruptedBranches(SagaSnapshot saga, Operation operation) {
        if (saga.status() != SagaStatus.RUNNING || (operation != Operation.COMPENSATE && operation != Operation.SKIP)) {
            return saga; // resolve needs no definition: it must work when none can be read
        }
        SagaDefinition definition = definition(saga);
        Group group = definition.groupAt(saga.stepIndex());
        if (group == null) {
            return saga;
        }
        Set<String> marked = new TreeSet<>();
        for (int i = group.first(); i <= group.last(); i++) {
            String branch = definition.step(i).name();
            if (log.markPendingUnknown(saga.id(), branch, Direction.FORWARD) > 0) {
                marked.add(branch);
            }
        }
        return SagaTransitions.interruptedBranches(definition, saga, marked);
    }

    /**
     * For a COMPLETED saga, which holds its key no longer: a saga with the same key that may have adopted what it created
     * (see {@link Event.OperatorCompensate#laterSagaOnKey}); null for any other. Undoing it takes the key again.
     *
     * @param lockKey hold the key's lock until the transaction ends (the operation), or take none (a preview)
     */
    UUID laterSagaOnKey(SagaSnapshot saga, boolean lockKey) {
        return saga.status() == SagaStatus.COMPLETED ? log.laterSagaOnKey(saga.id(), lockKey).orElse(null) : null;
    }

    /**
     * The number of the current step's latest attempt of its compensation or its check (which share their numbers), 0 when
     * none: where a retry after drift numbers on.
     */
    private int undoAttempts(SagaSnapshot saga) {
        if (saga.status() != SagaStatus.ESCALATED) {
            return 0;
        }
        String step = definition(saga).step(saga.stepIndex()).name();
        return log.attempts(saga.id()).stream().filter(a -> a.stepName().equals(step) && a.direction() != Direction.FORWARD)
                .mapToInt(a -> a.attempt()).max().orElse(0);
    }

    /** Where an escalated saga resumes: an outbox step escalates going forward, a compensation going back. */
    private boolean lastAttemptForward(SagaSnapshot saga) {
        if (saga.status() != SagaStatus.ESCALATED) {
            return false;
        }
        SagaDefinition definition = definition(saga);
        StepDefinition current = definition.step(saga.stepIndex());
        if (current.await() != null) {
            return true; // an await makes no attempts, and escalates only going forward (its timeout)
        }
        Group group = definition.groupAt(saga.stepIndex());
        // at a group, the last attempt of any branch: the group escalated going forward, or the undoing of a branch did
        Set<String> steps = group == null ? Set.of(current.name())
                : definition.steps().subList(group.first(), group.last() + 1).stream().map(StepDefinition::name).collect(Collectors.toSet());
        return log.attempts(saga.id()).stream().filter(a -> steps.contains(a.stepName()))
                .reduce((first, second) -> second).map(a -> a.direction() == Direction.FORWARD).orElse(false);
    }
}
