package io.sagaorchestrator.operations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.api.SagaNotFoundException;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.engine.Compensations;
import io.sagaorchestrator.sagalog.Direction;
import io.sagaorchestrator.sagalog.Effect;
import io.sagaorchestrator.sagalog.SagaLog;
import io.sagaorchestrator.sagalog.SagaSnapshot;
import io.sagaorchestrator.sagalog.SagaStatus;
import io.sagaorchestrator.sagalog.StepState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Compensate, retry and resolve by hand. Each operation locks the saga's row, checks that it fits
 * the saga's state, changes the state through the same fenced write as the engine, and records an
 * audit entry, all in one transaction: two operators acting at once are serialized, and the second
 * sees what the first did. The work itself (undoing, retrying) is left to the engine: the saga is
 * released with its wake-up time set to now, and recovery picks it up within seconds.
 *
 * <p>A saga an instance is advancing right now (a live lease) is not touched: its step may be in
 * flight at the third party, and acting beside it could undo a user before it is created.
 */
@ApplicationScoped
public class ManualOperations {

    private static final Logger LOG = Logger.getLogger(ManualOperations.class);

    public record Result(UUID sagaId, String operation, String statusBefore, String statusAfter, long auditId) {
    }

    private final SagaLog log;
    private final DefinitionRegistry definitions;
    private final AuditTrail audit;
    private final ObjectMapper json;

    ManualOperations(SagaLog log, DefinitionRegistry definitions, AuditTrail audit, ObjectMapper json) {
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
    public Result apply(UUID sagaId, Operation operation, String actor, OperationRequest request) {
        SagaLog.Locked locked = log.lock(sagaId).orElseThrow(() -> new SagaNotFoundException(sagaId));
        SagaSnapshot saga = locked.saga();
        if (!operation.allowedFrom(saga.status())) {
            throw new OperationRefusedException(sagaId, saga.status(),
                    "A " + saga.status() + " saga cannot be " + pastTense(operation) + "; allowed: " + Operation.allowedIn(saga.status()));
        }
        if (locked.leaseLive()) {
            throw new OperationRefusedException(sagaId, saga.status(), "Instance " + locked.owner() + " is advancing this saga right now"
                    + " (lease until " + locked.wakeAt() + "); try again once its current step has ended");
        }
        String note = actor + " (" + operation.path() + "): " + request.reason();
        SagaSnapshot next = switch (operation) {
            case COMPENSATE -> compensate(saga, definition(saga), request, note);
            case RETRY -> retry(saga, definition(saga));
            case RESOLVE -> saga.withStatus(SagaStatus.RESOLVED).withLastError(saga.lastError() + " | resolved by " + note);
        };
        log.update(next, null, next.status().isTerminal() ? null : Duration.ZERO);
        ObjectNode details = json.createObjectNode().put("stepIndex", saga.stepIndex()).put("attempt", saga.attempt())
                .put("forced", request.forced()).put("lastErrorBefore", saga.lastError());
        long auditId = audit.record(sagaId, operation, actor, request.reason(), saga.status().name(), next.status().name(), details);
        LOG.infof("Saga %s: %s by %s (%s -> %s): %s", sagaId, operation.path(), actor, saga.status(), next.status(), request.reason());
        return new Result(sagaId, operation.path(), saga.status().name(), next.status().name(), auditId);
    }

    /** The definition the saga runs on; one this release cannot run leaves only resolve by hand. */
    private SagaDefinition definition(SagaSnapshot saga) {
        try {
            return definitions.forSaga(saga.definitionName(), saga.definitionVersion(), saga.definitionHash());
        } catch (RuntimeException e) {
            throw new OperationRefusedException(saga.id(), saga.status(), "This release cannot run the saga's definition ("
                    + e.getMessage() + "); repair it by hand and resolve it");
        }
    }

    private SagaSnapshot compensate(SagaSnapshot saga, SagaDefinition definition, OperationRequest request, String note) {
        if (saga.status() == SagaStatus.COMPLETED) {
            if (!request.forced()) {
                throw new OperationRefusedException(saga.id(), saga.status(), "The saga COMPLETED: compensating it undoes a finished"
                        + " business operation; send \"force\": true to confirm");
            }
            StepDefinition last = definition.step(definition.stepCount() - 1);
            if (!last.hasCompensation()) {
                throw new OperationRefusedException(saga.id(), saga.status(), "Step '" + last.name()
                        + "' of this definition has no compensation: a completed saga of it cannot be undone");
            }
        }
        SagaSnapshot s = saga;
        int from = saga.status() == SagaStatus.COMPLETED ? definition.stepCount() - 1 : saga.stepIndex();
        if (saga.status() == SagaStatus.RUNNING) {
            // an intent its owner never closed: the call may have happened
            StepDefinition current = definition.step(saga.stepIndex());
            int unknown = log.markPendingUnknown(saga.id(), current.name(), Direction.FORWARD,
                    "the instance making this call stopped before its outcome was recorded");
            if (unknown > 0 && !Compensations.mayHaveEffect(saga.stepState(current.name()))) {
                s = s.withStepState(current.name(), new StepState(Effect.UNCERTAIN, null));
            }
        }
        for (int i = 0; i <= from; i++) {
            StepDefinition step = definition.step(i);
            if (!step.hasCompensation() && Compensations.mayHaveEffect(s.stepState(step.name()))) {
                throw new OperationRefusedException(saga.id(), saga.status(), "Step '" + step.name() + "' may have taken effect and has"
                        + " no compensation, so the saga cannot be undone; retry it, or repair by hand and resolve");
            }
        }
        s = s.withStatus(SagaStatus.COMPENSATING).withLastError("compensation requested by " + note);
        OptionalInt first = Compensations.lastToUndo(definition, s.stepStates(), from);
        return first.isPresent() ? s.atStep(first.getAsInt()) : s.withStatus(SagaStatus.COMPENSATED);
    }

    private SagaSnapshot retry(SagaSnapshot saga, SagaDefinition definition) {
        if (saga.status() == SagaStatus.ESCALATED) {
            // an outbox step escalates going forward, a compensation going back: resume where it stopped
            String step = definition.step(saga.stepIndex()).name();
            boolean forward = log.attempts(saga.id()).stream().filter(a -> a.stepName().equals(step))
                    .reduce((first, second) -> second).map(a -> a.direction() == Direction.FORWARD).orElse(false);
            return saga.withStatus(forward ? SagaStatus.RUNNING : SagaStatus.COMPENSATING).withFreshBudget();
        }
        if (saga.attemptsUsed() == 0) {
            throw new OperationRefusedException(saga.id(), saga.status(), "The saga's current step has a fresh attempt budget already"
                    + " (nothing failed since the last retry); it goes on by itself");
        }
        return saga.withFreshBudget();
    }

    private static String pastTense(Operation operation) {
        return switch (operation) {
            case COMPENSATE -> "compensated";
            case RETRY -> "retried";
            case RESOLVE -> "resolved";
        };
    }
}
