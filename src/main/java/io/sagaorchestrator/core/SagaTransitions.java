package io.sagaorchestrator.core;

import java.util.stream.Collectors;
import java.util.List;
import java.util.ArrayList;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import io.sagaorchestrator.definitions.DefinitionChanges;
import io.sagaorchestrator.definitions.CompensationCheck;
import io.sagaorchestrator.definitions.Await;
import io.sagaorchestrator.definitions.Group;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Every rule for how a saga moves: given the saga as recorded, its definition and what just
 * happened, the next state and what to do with it. The engine's loop and the operators' requests
 * both ask here, so a rule is written once and can be tested without a database. No I/O, no clock,
 * no randomness of its own: whatever varies is passed in with the event.
 */
public final class SagaTransitions {

    private SagaTransitions() {
    }

    /** Decides what follows {@code event} for a RUNNING or COMPENSATING saga, or an operator's request. */
    public static Decision decide(SagaDefinition definition, SagaSnapshot saga, Event event) {
        if (event instanceof Event.StepSucceeded ok) {
            return succeeded(definition, saga, ok);
        }
        if (event instanceof Event.AttemptFailed failed) {
            return new Decision.Continue(attemptFailed(definition, saga, failed.failure()));
        }
        if (event instanceof Event.StepFailed failed) {
            return stepFailed(definition, saga, failed);
        }
        if (event instanceof Event.AttemptInterrupted) {
            return new Decision.Continue(direction(saga) == Direction.FORWARD ? uncertain(saga, current(definition, saga)) : saga);
        }
        if (event instanceof Event.OperatorCompensate compensate) {
            return compensateByHand(definition, saga, compensate);
        }
        if (event instanceof Event.OperatorRetry retry) {
            return retryByHand(saga, retry);
        }
        if (event instanceof Event.PausedBeforeAttempt) {
            // what the run held back (outcomes, the last error) is kept; the saga waits, ownerless, for its resume
            return new Decision.Park(saga, Duration.ZERO);
        }
        if (event instanceof Event.DeadlinePassed passed) {
            return deadlinePassed(definition, saga, passed.now());
        }
        if (event instanceof Event.OperatorSkip skip) {
            return skipByHand(definition, saga, skip);
        }
        if (event instanceof Event.OperatorReplan replan) {
            return replan(definition, saga, replan);
        }
        if (event instanceof Event.StepReached) {
            return reached(definition, saga);
        }
        if (event instanceof Event.SignalReceived signal) {
            return signalReceived(definition, saga, signal);
        }
        if (event instanceof Event.NoSignalYet waiting) {
            return noSignalYet(definition, saga, waiting.now());
        }
        if (event instanceof Event.BranchSucceeded ok) {
            return branchSucceeded(definition, saga, ok);
        }
        if (event instanceof Event.BranchAttemptFailed failed) {
            return new Decision.Continue(branchAttemptFailed(definition, saga, failed.branch(), failed.failure()));
        }
        if (event instanceof Event.GroupSettled settled) {
            return groupSettled(definition, saga, settled);
        }
        throw new IllegalArgumentException("no transition for " + event);
    }

    /** An operator closes an escalated saga after repairing it by hand; needs no definition, so it works when none can be read. */
    public static Decision resolve(SagaSnapshot saga, String note) {
        return new Decision.End(saga.withStatus(SagaStatus.RESOLVED).withLastError(saga.lastError() + " | resolved by " + note));
    }

    /**
     * An operator asks that a live saga make no new attempt until resumed, e.g. while its third party is down. Allowed
     * while an attempt is in flight (the pause takes effect when it ends): pausing acts beside nothing, it only holds
     * the next attempt back. Needs no definition.
     *
     * @param pausedBy who paused it already, null when it is not paused
     * @param by       who asks for the pause now
     */
    public static Decision pause(SagaSnapshot saga, String pausedBy, String by) {
        if (saga.status().isTerminal()) {
            return new Decision.Refused(saga, "A saga in status " + saga.status() + " makes no attempts: there is nothing to pause");
        }
        if (pausedBy != null) {
            return new Decision.Refused(saga, "The saga is paused already, by " + pausedBy + "; nothing was changed");
        }
        return new Decision.Pause(saga, by);
    }

    /**
     * An operator lets a paused saga go on where it stopped, with the attempt budget it had; a backoff it was waiting
     * out is cut short (the operator says the cause is gone), which the log carries out.
     */
    public static Decision resume(SagaSnapshot saga, String pausedBy) {
        if (pausedBy == null) {
            return new Decision.Refused(saga, "The saga is not paused: there is nothing to resume");
        }
        return new Decision.Resume(saga);
    }

    /** A saga this release cannot run (its definition or an action is gone): only a person can decide. */
    public static Decision definitionUnreadable(SagaSnapshot saga, String why) {
        return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError("definition " + saga.definitionName()
                + " v" + saga.definitionVersion() + " cannot be run by this release: " + why));
    }

    /**
     * A saga an application dispatched by SQL with an input its definition does not take: nothing has been called,
     * and nothing will be; the application's transaction has committed, so a person decides.
     */
    public static Decision inputRefused(SagaSnapshot saga, List<InputSchema.Violation> violations) {
        return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError("its input does not match what "
                + saga.definitionName() + " takes, so no step ran: " + violations.stream()
                .map(v -> v.field() + " " + v.message()).collect(Collectors.joining("; "))));
    }

    /**
     * A saga dispatched by SQL whose input gives its definition's key no value: it cannot take the key, so no step may
     * run. Nothing happened, so it ends undone, as a saga whose first action cannot use its input does.
     */
    public static Decision keyUnreadable(SagaSnapshot saga, String why) {
        return new Decision.End(saga.withStatus(SagaStatus.COMPENSATED).withLastError("its key cannot use the saga's input ("
                + why + "), so no step ran"));
    }

    /**
     * The failure that stands for a run that may make no attempt: its budget was spent before it
     * began (the last attempt's owner died, or an intent was already counted).
     */
    public static StepFailure budgetSpent(RetryPolicy policy, SagaSnapshot saga) {
        return new UnknownOutcomeFailure("the attempt budget of " + policy.attempts() + " is spent; last error: " + saga.lastError(), null);
    }

    /**
     * The direction the saga's current step runs in: a compensating saga whose current step's compensation answered
     * success and awaits its check ({@link Effect#CHECKING}; only one step at a time can, the one compensation stands on)
     * makes the check's attempts.
     */
    public static Direction direction(SagaSnapshot saga) {
        if (saga.status() != SagaStatus.COMPENSATING) {
            return Direction.FORWARD;
        }
        return saga.stepStates().values().stream().anyMatch(s -> s.effect() == Effect.CHECKING) ? Direction.VERIFY
                : Direction.COMPENSATION;
    }

    /** The retry policy of the saga's current step in its current direction. */
    public static RetryPolicy policy(SagaDefinition definition, SagaSnapshot saga) {
        return policy(current(definition, saga), direction(saga));
    }

    /**
     * The saga once its current compensation has succeeded, before it moves on. A local
     * compensation commits this with its effect; the move to the next one rides with the next commit.
     */
    public static SagaSnapshot compensated(SagaDefinition definition, SagaSnapshot saga) {
        // the step keeps its forward output; what the compensation answered is in its attempt
        String step = current(definition, saga).name();
        return saga.withStepState(step, new StepState(Effect.COMPENSATED, saga.stepState(step).output()));
    }

    private static Decision succeeded(SagaDefinition definition, SagaSnapshot saga, Event.StepSucceeded ok) {
        StepDefinition step = current(definition, saga);
        if (direction(saga) == Direction.COMPENSATION && step.verify() != null && CompensationCheck.due(ok.output())) {
            return new Decision.Continue(checkDue(saga, step, ok.output()));
        }
        if (direction(saga) != Direction.FORWARD) {
            // no check declared, none needed (the compensation undid nothing on purpose), or the check passed
            return nextCompensation(definition, compensated(definition, saga), saga.stepIndex() - 1, null);
        }
        return enter(definition, saga.withStepState(step.name(), new StepState(Effect.DONE, ok.output())), saga.stepIndex() + 1,
                false);
    }

    /**
     * Moves a running saga onto step {@code next}, past every step whose condition is false, each recorded as skipped
     * with the value it saw; past the last step the saga is COMPLETED with the output of the last step that ran. A
     * condition that cannot be told fails its step before it runs (the saga compensates, or escalates when the step
     * says so), but only when the engine is about to run the step ({@code decideUntold}): the move itself stops on the
     * step, so that the failure is carried out by the run, with its alert, and never inside another step's commit.
     */
    private static Decision enter(SagaDefinition definition, SagaSnapshot saga, int next, boolean decideUntold) {
        SagaSnapshot s = saga;
        for (; next < definition.stepCount(); next++) {
            StepDefinition candidate = definition.step(next);
            Group forEach = forEachAt(definition, next);
            if (candidate.when() == null && forEach == null) {
                break;
            }
            if (candidate.when() != null) {
                boolean runs;
                try {
                    runs = candidate.when().holds(s.input(), outputs(definition, s));
                } catch (IllegalStateException e) {
                    return cannotTell(definition, s, next, candidate.name() + ": its condition cannot be told, so it did not"
                            + " run: " + e.getMessage(), decideUntold);
                }
                if (!runs) {
                    // a group's condition stands on its first branch: false, none of its branches runs
                    int last = definition.lastBegunAt(next);
                    for (int skipped = next; skipped <= last; skipped++) {
                        s = s.withStepState(definition.step(skipped).name(), new StepState(Effect.SKIPPED, JsonNodeFactory
                                .instance.objectNode().put("when", candidate.when().text()).put("value", false)));
                    }
                    next = last;
                    continue;
                }
            }
            if (forEach == null) {
                break;
            }
            int count;
            try {
                count = forEach.forEach().itemsOf(s.input(), outputs(definition, s)).size();
            } catch (IllegalStateException e) {
                return cannotTell(definition, s, next, "group " + forEach.name() + ": its items cannot be read, so none of"
                        + " them ran: " + e.getMessage(), decideUntold);
            }
            s = withItemsCounted(definition, s, forEach, count);
            if (count > 0) {
                break;
            }
            next = forEach.last(); // an empty list: the group is done, nothing ran
        }
        SagaSnapshot moved = s.atStep(next);
        if (next == definition.stepCount()) {
            return new Decision.End(moved.withResult(lastOutput(definition, moved)).withStatus(SagaStatus.COMPLETED)
                    .withLastError(null));
        }
        return new Decision.Continue(moved);
    }

    /**
     * A condition, or a forEach's list, that cannot be read: the step fails before it runs (the saga compensates, or
     * escalates when the step says so), but only when the engine is about to run it ({@code decideUntold}); the move itself
     * stops on the step.
     */
    private static Decision cannotTell(SagaDefinition definition, SagaSnapshot s, int next, String why, boolean decideUntold) {
        if (!decideUntold) {
            return new Decision.Continue(s.atStep(next));
        }
        SagaSnapshot at = s.atStep(next).withLastError(why);
        return definition.step(next).onFailure() == FailurePolicy.ESCALATE
                ? new Decision.Escalate(at.withStatus(SagaStatus.ESCALATED))
                : nextCompensation(definition, at.withStatus(SagaStatus.COMPENSATING), next, null);
    }

    /** The forEach group whose first branch is step {@code index}; null when there is none. */
    private static Group forEachAt(SagaDefinition definition, int index) {
        Group group = definition.groupAt(index);
        return group != null && group.forEach() != null && group.first() == index ? group : null;
    }

    /** The saga with the branches of {@code forEach} beyond its {@code count} items recorded skipped: no item is theirs. */
    private static SagaSnapshot withItemsCounted(SagaDefinition definition, SagaSnapshot saga, Group forEach, int count) {
        SagaSnapshot s = saga;
        for (int i = forEach.first() + count; i <= forEach.last(); i++) {
            s = s.withStepState(definition.step(i).name(), new StepState(Effect.SKIPPED, JsonNodeFactory.instance.objectNode()
                    .put("items", forEach.forEach().items().text()).put("count", count)));
        }
        return s;
    }

    /**
     * The saga stands, going forward, where nothing has recorded yet what the move onto it decides: a step whose
     * condition is untold, or a forEach whose items are not counted (the saga came to it through recovery, an operator's
     * retry or a re-plan, or as its first step). The engine then tells the core {@link Event.StepReached} first.
     */
    public static boolean untold(SagaDefinition definition, SagaSnapshot saga) {
        if (direction(saga) != Direction.FORWARD) {
            return false;
        }
        StepDefinition step = current(definition, saga);
        Group group = definition.groupAt(saga.stepIndex());
        StepDefinition first = group == null ? step : definition.step(group.first());
        if (first.when() != null && saga.stepState(first.name()) == null) {
            return true;
        }
        if (group == null || group.forEach() == null) {
            return false;
        }
        try {
            int count = group.forEach().itemsOf(saga.input(), outputs(definition, saga)).size();
            return !withItemsCounted(definition, saga, group, count).stepStates().equals(saga.stepStates());
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** What the steps that ran answered, by name: what a condition reads as {@code steps}. */
    private static Map<String, JsonNode> outputs(SagaDefinition definition, SagaSnapshot saga) {
        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        for (StepDefinition step : definition.steps()) {
            StepState state = saga.stepState(step.name());
            if (state != null && state.effect() == Effect.DONE && state.output() != null) {
                outputs.put(step.name(), state.output());
            }
        }
        return outputs;
    }

    /**
     * The output of the last step that ran; when that was a group, its branches' outputs by name, and for a forEach its
     * items' outputs in the order of the list.
     */
    private static JsonNode lastOutput(SagaDefinition definition, SagaSnapshot saga) {
        int last = -1;
        for (int i = 0; i < definition.stepCount(); i++) {
            StepState state = saga.stepState(definition.step(i).name());
            if (state != null && state.effect() == Effect.DONE) {
                last = i;
            }
        }
        if (last < 0) {
            return null;
        }
        Group group = definition.groupAt(last);
        if (group == null) {
            return saga.stepState(definition.step(last).name()).output();
        }
        if (group.forEach() != null) {
            var items = JsonNodeFactory.instance.arrayNode();
            for (int i = group.first(); i <= group.last(); i++) {
                StepState state = saga.stepState(definition.step(i).name());
                if (state != null && state.effect() == Effect.DONE) {
                    items.add(state.output() == null ? JsonNodeFactory.instance.nullNode() : state.output());
                }
            }
            return items;
        }
        var outputs = JsonNodeFactory.instance.objectNode();
        for (int i = group.first(); i <= group.last(); i++) {
            StepState state = saga.stepState(definition.step(i).name());
            if (state != null && state.effect() == Effect.DONE) {
                outputs.set(definition.step(i).name(), state.output());
            }
        }
        return outputs;
    }

    /**
     * The engine is about to run a step whose condition nothing has recorded yet (the saga came back to it through
     * recovery, an operator's retry or a re-plan, not by the move that tells it): tell it now, as that move would have.
     */
    private static Decision reached(SagaDefinition definition, SagaSnapshot saga) {
        if (!untold(definition, saga)) {
            return new Decision.Continue(saga);
        }
        Group group = definition.groupAt(saga.stepIndex());
        Decision told = enter(definition, saga, group == null ? saga.stepIndex() : group.first(), true);
        // a move that stays on the step keeps the attempts it has made: only what the move records is new
        return told instanceof Decision.Continue next && next.next().stepIndex() == saga.stepIndex()
                ? new Decision.Continue(saga.withStepStates(next.next().stepStates())) : told;
    }

    /**
     * The compensation of {@code step} answered success and it declares a check: the saga stays on the step, which awaits
     * its check ({@link Effect#CHECKING}) with a budget of its own. The move commits with the check's first intent.
     */
    private static SagaSnapshot checkDue(SagaSnapshot saga, StepDefinition step, JsonNode compensationOutput) {
        StepState forward = saga.stepState(step.name());
        // the check's attempt numbers go on from the compensation's (a retry after drift numbers on from both)
        return saga.withStepState(step.name(), new StepState(Effect.CHECKING, forward == null ? null : forward.output(),
                compensationOutput)).withFreshBudget();
    }

    /**
     * A check that kept failing: the compensation said it undid, the third party says otherwise (or never answered the
     * check). Both answers are in the step's attempts: the compensation's (succeeded) and the check's (failed).
     */
    private static String drift(StepDefinition step, StepFailure failure, int attempts) {
        return step.name() + ": drift: the compensation answered success but " + failure.getMessage() + " (after "
                + attempts + " check" + (attempts == 1 ? "" : "s") + "; both answers are in the step's attempts)";
    }

    /** A failed attempt is the saga's last error; one that may have reached the third party leaves the step possibly done. */
    private static SagaSnapshot attemptFailed(SagaDefinition definition, SagaSnapshot saga, StepFailure failure) {
        StepDefinition step = current(definition, saga);
        // a local step's effect commits with its log row, so a failed one left nothing behind
        boolean mayHaveReachedThirdParty = step.kind().callsThirdParty() && failure.mayHaveTakenEffect();
        SagaSnapshot s = mayHaveReachedThirdParty && direction(saga) == Direction.FORWARD ? uncertain(saga, step) : saga;
        return s.withLastError(describe(step, failure));
    }

    private static Decision stepFailed(SagaDefinition definition, SagaSnapshot saga, Event.StepFailed failed) {
        StepDefinition step = current(definition, saga);
        RetryPolicy policy = policy(definition, saga);
        StepFailure failure = failed.failure();
        if (policy.isRetryable(failure) && saga.attemptsUsed() < policy.attempts()) {
            return new Decision.Park(saga, policy.backoffAfter(saga.attemptsUsed(), failed.random()));
        }
        if (direction(saga) == Direction.VERIFY) {
            return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError(drift(step, failure,
                    saga.attemptsUsed())));
        }
        if (direction(saga) == Direction.COMPENSATION || step.onFailure() == FailurePolicy.ESCALATE) {
            return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError(describe(step, failure)));
        }
        SagaSnapshot compensating = saga.withStatus(SagaStatus.COMPENSATING).withLastError(describe(step, failure));
        return nextCompensation(definition, compensating, definition.lastBegunAt(saga.stepIndex()), null);
    }

    /**
     * Positions a compensating saga on the latest step at or before {@code from} whose effect must
     * be undone, or ends it COMPENSATED when there is none.
     *
     * @param releaseFor null when the engine goes on at once; else the saga is released for recovery after it
     */
    private static Decision nextCompensation(SagaDefinition definition, SagaSnapshot compensating, int from, Duration releaseFor) {
        OptionalInt next = Compensations.lastToUndo(definition, compensating.stepStates(), from);
        if (next.isEmpty()) {
            return new Decision.End(compensating.withStatus(SagaStatus.COMPENSATED));
        }
        SagaSnapshot positioned = compensating.atStep(next.getAsInt());
        return releaseFor == null ? new Decision.Continue(positioned) : new Decision.Park(positioned, releaseFor);
    }

    private static Decision compensateByHand(SagaDefinition definition, SagaSnapshot saga, Event.OperatorCompensate request) {
        OperatorUndo undo = operatorUndo(definition, saga, request.forced(), request.interruptedAttempt(), request.laterSagaOnKey());
        if (undo.refusal() != null) {
            return new Decision.Refused(saga, undo.refusal());
        }
        SagaSnapshot s = undo.saga().withStatus(SagaStatus.COMPENSATING).withLastError("compensation requested by " + request.note());
        // the undoing is left to the engine: recovery picks the released saga up at once
        return nextCompensation(definition, s, undo.from(), Duration.ZERO);
    }

    /**
     * Where an operator's compensation of a RUNNING or COMPLETED saga starts.
     *
     * @param saga    the saga as the undoing would start from (an interrupted attempt marked as possibly done)
     * @param from    the latest step whose effect it considers
     * @param refusal why the request is refused as asked, or null
     */
    public record OperatorUndo(SagaSnapshot saga, int from, String refusal) {
    }

    /**
     * The rule of {@link Event.OperatorCompensate}, for the operation and for its preview (the compensation plan) alike:
     * what would be undone from where, or why not.
     */
    public static OperatorUndo operatorUndo(SagaDefinition definition, SagaSnapshot saga, boolean forced, boolean interruptedAttempt,
                                            UUID laterSagaOnKey) {
        SagaSnapshot s = saga;
        int from = saga.status() == SagaStatus.COMPLETED ? definition.stepCount() - 1 : definition.lastBegunAt(saga.stepIndex());
        if (saga.status() == SagaStatus.RUNNING && interruptedAttempt) {
            s = uncertain(s, current(definition, saga));
        }
        if (saga.status() == SagaStatus.COMPLETED) {
            if (!forced) {
                return new OperatorUndo(s, from, "The saga COMPLETED: compensating it undoes a finished business operation;"
                        + " send \"force\": true to confirm");
            }
            StepDefinition last = definition.step(definition.stepCount() - 1);
            if (!last.hasCompensation()) {
                return new OperatorUndo(s, from, "Step '" + last.name()
                        + "' of this definition has no compensation: a completed saga of it cannot be undone");
            }
            if (laterSagaOnKey != null) {
                // undoing would delete what that saga may have adopted (it met EXISTS and linked the same user)
                return new OperatorUndo(s, from, "Saga " + laterSagaOnKey + " has the same key and came after this one: it may"
                        + " have adopted what this saga created, and undoing this saga would take it away. Undo that saga first,"
                        + " or repair by hand");
            }
        }
        StepDefinition stuck = cannotBeUndone(definition, s, from);
        if (stuck != null) {
            return new OperatorUndo(s, from, "Step '" + stuck.name() + "' may have taken effect and has no compensation,"
                    + " so the saga cannot be undone; retry it, or repair by hand and resolve");
        }
        return new OperatorUndo(s, from, null);
    }

    private static Decision retryByHand(SagaSnapshot saga, Event.OperatorRetry request) {
        if (saga.status() == SagaStatus.ESCALATED) {
            // an outbox step escalates going forward, a compensation going back: resume where it stopped
            SagaStatus resumed = request.lastAttemptForward() ? SagaStatus.RUNNING : SagaStatus.COMPENSATING;
            return new Decision.Park(undoAgainAfterDrift(saga, request.undoAttempts()).withStatus(resumed).withFreshBudget()
                    .withDeadlines(null, null), Duration.ZERO);
        }
        if (saga.attemptsUsed() == 0) {
            return new Decision.Refused(saga, "The saga's current step has a fresh attempt budget already"
                    + " (nothing failed since the last retry); it goes on by itself");
        }
        // "try now" on a live saga: the deadline its definition set still holds, only an escalated saga's is lifted
        return new Decision.Park(saga.withFreshBudget(), Duration.ZERO);
    }

    /** The first step at or before {@code from} that may have taken effect and has no compensation; null when there is none. */
    private static StepDefinition cannotBeUndone(SagaDefinition definition, SagaSnapshot saga, int from) {
        for (int i = 0; i <= from; i++) {
            StepDefinition step = definition.step(i);
            if (!step.hasCompensation() && !step.changesNothing() && Compensations.mayHaveEffect(saga.stepState(step.name()))) {
                return step;
            }
        }
        return null;
    }

    // --- deadlines ---

    /**
     * The saga as it begins its first run: its deadline counted from its creation (a saga dispatched by SQL waited in
     * the queue on its own time), and its first step's counted from {@code now}.
     */
    public static SagaSnapshot begun(SagaDefinition definition, SagaSnapshot saga, Instant now) {
        Instant deadline = definition.deadline() == null ? null : saga.createdAt().plus(definition.deadline());
        return reachedStep(definition, saga.withDeadlines(deadline, saga.stepDeadlineAt()), now);
    }

    /**
     * The saga as it is committed at {@code now}: a RUNNING saga that has just moved onto a step with a deadline of its
     * own (moving clears the previous step's) starts counting it, in the commit that stores the move.
     */
    public static SagaSnapshot reachedStep(SagaDefinition definition, SagaSnapshot saga, Instant now) {
        if (saga.status() != SagaStatus.RUNNING || saga.stepDeadlineAt() != null || saga.stepIndex() >= definition.stepCount()) {
            return saga;
        }
        Duration own = current(definition, saga).deadline();
        return own == null ? saga : saga.withDeadlines(saga.deadlineAt(), now.plus(own));
    }

    /** The earlier of the saga's deadline and its current step's; null when neither is set. */
    public static Instant deadline(SagaSnapshot saga) {
        Instant whole = saga.deadlineAt();
        Instant step = saga.stepDeadlineAt();
        if (whole == null || step == null) {
            return whole == null ? step : whole;
        }
        return step.isBefore(whole) ? step : whole;
    }

    /** Whether a RUNNING saga must stop going forward: its deadline is at or before {@code now}. */
    public static boolean deadlinePassed(SagaSnapshot saga, Instant now) {
        Instant deadline = deadline(saga);
        return saga.status() == SagaStatus.RUNNING && deadline != null && !deadline.isAfter(now);
    }

    /** How long a RUNNING saga parked for {@code wakeIn} may sleep: never past its deadline, which must be acted on. */
    public static Duration wakeNoLaterThanDeadline(SagaSnapshot saga, Duration wakeIn, Instant now) {
        Instant deadline = deadline(saga);
        if (saga.status() != SagaStatus.RUNNING || deadline == null) {
            return wakeIn;
        }
        Duration left = Duration.between(now, deadline);
        return left.isNegative() ? Duration.ZERO : left.compareTo(wakeIn) < 0 ? left : wakeIn;
    }

    /**
     * A RUNNING saga past its deadline stops going forward and undoes what it did, as if its current step had failed:
     * from the latest step that took effect or may have (an attempt that timed out counts), or ends COMPENSATED when
     * nothing did. When a step that may have taken effect cannot be undone, a person decides. A COMPENSATING saga
     * goes on compensating: undoing is never cut short.
     */
    private static Decision deadlinePassed(SagaDefinition definition, SagaSnapshot saga, Instant now) {
        if (!deadlinePassed(saga, now)) {
            return new Decision.Continue(saga);
        }
        StepDefinition step = current(definition, saga);
        boolean stepsOwn = saga.stepDeadlineAt() != null && saga.stepDeadlineAt().equals(deadline(saga));
        if (stepsOwn && step.await() != null && saga.stepState(step.name()) == null) {
            // an await's own deadline is its timeout, which says itself what follows
            return timedOut(definition, saga, step);
        }
        String why = (stepsOwn ? "step " + step.name() + "'s deadline of " + text(step.deadline())
                : "the saga's deadline of " + text(definition.deadline())) + " passed at " + deadline(saga)
                + " while at step " + step.name();
        int from = definition.lastBegunAt(saga.stepIndex());
        StepDefinition stuck = cannotBeUndone(definition, saga, from);
        if (stuck != null) {
            return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError(why + "; step '" + stuck.name()
                    + "' may have taken effect and has no compensation, so a person must decide"));
        }
        return nextCompensation(definition, saga.withStatus(SagaStatus.COMPENSATING).withLastError(why), from, null);
    }

    // --- parallel groups ---

    /**
     * The group the engine runs as one at the saga's current step in its current direction: a group going forward, and a
     * group undone side by side ({@link Group#undoneTogether()}) going back; null when the step runs alone.
     */
    public static Group groupRunAsOne(SagaDefinition definition, SagaSnapshot saga) {
        Group group = definition.groupAt(saga.stepIndex());
        Direction direction = direction(saga);
        return group != null && (direction == Direction.FORWARD || (direction == Direction.COMPENSATION && group.undoneTogether()))
                ? group : null;
    }

    /**
     * The branches of the group the saga stands on that are still to run or to try again: neither done nor skipped, in the
     * order written (the order they start in). Empty when the saga stands on no group.
     */
    public static List<StepDefinition> openBranches(SagaDefinition definition, SagaSnapshot saga) {
        Group group = definition.groupAt(saga.stepIndex());
        if (group == null) {
            return List.of();
        }
        return definition.steps().subList(group.first(), group.last() + 1).stream().filter(b -> {
            StepState state = saga.stepState(b.name());
            return state == null || (state.effect() != Effect.DONE && state.effect() != Effect.SKIPPED);
        }).toList();
    }

    /**
     * What the engine runs of the group it runs as one ({@link #groupRunAsOne}), in the order written: going forward its
     * open branches; going back, the branches still to undo (they took effect or may have, and have a compensation).
     */
    public static List<StepDefinition> branchesToRun(SagaDefinition definition, SagaSnapshot saga) {
        Group group = groupRunAsOne(definition, saga);
        if (group == null) {
            return List.of();
        }
        if (saga.status() == SagaStatus.RUNNING) {
            return openBranches(definition, saga);
        }
        return definition.steps().subList(group.first(), group.last() + 1).stream()
                .filter(b -> b.hasCompensation() && Compensations.mayHaveEffect(saga.stepState(b.name()))).toList();
    }

    /** The retry policy of a step's attempts in {@code direction}. */
    public static RetryPolicy policy(StepDefinition step, Direction direction) {
        return switch (direction) {
            case FORWARD -> step.retry();
            case COMPENSATION -> step.compensationRetry();
            case VERIFY -> step.verify() != null ? step.verify().retry() : step.compensationRetry();
        };
    }

    /**
     * A branch succeeded; its output rides with the next commit. When it was the last one open, the group has succeeded and
     * the saga moves past it. Going back, the branch is undone (it keeps its forward output); when it was the last to undo,
     * compensation moves on to the steps before the group.
     */
    private static Decision branchSucceeded(SagaDefinition definition, SagaSnapshot saga, Event.BranchSucceeded ok) {
        StepDefinition branch = requireBranch(definition, saga, ok.branch());
        Group group = definition.groupAt(saga.stepIndex());
        if (saga.status() == SagaStatus.COMPENSATING) {
            StepState forward = saga.stepState(branch.name());
            SagaSnapshot undone = saga.withStepState(branch.name(), new StepState(Effect.COMPENSATED,
                    forward == null ? null : forward.output()));
            return branchesToRun(definition, undone).isEmpty() ? nextCompensation(definition, undone, group.first() - 1, null)
                    : new Decision.Continue(undone);
        }
        SagaSnapshot done = saga.withStepState(ok.branch(), new StepState(Effect.DONE, ok.output()));
        if (!openBranches(definition, done).isEmpty()) {
            return new Decision.Continue(done);
        }
        return enter(definition, done, group.last() + 1, false);
    }

    /**
     * An attempt of a branch failed: going forward, one that may have reached its third party leaves the branch possibly
     * done; going back, the branch stays as it was, to be undone again.
     */
    private static SagaSnapshot branchAttemptFailed(SagaDefinition definition, SagaSnapshot saga, String branch, StepFailure failure) {
        StepDefinition step = requireBranch(definition, saga, branch);
        SagaSnapshot s = failure.mayHaveTakenEffect() && saga.status() == SagaStatus.RUNNING ? uncertain(saga, step) : saga;
        return s.withLastError(describe(step, failure));
    }

    /**
     * Every branch this run began has ended. A branch that gave up (refused, or its budget spent) fails the group: the
     * saga undoes, from the group's last branch backwards, every branch that took effect or may have, then the steps
     * before it; or escalates, when that branch says so. A branch that may still try again, after its backoff, parks the
     * saga for the soonest of them: its next run starts only the open branches. Going back (a group undone side by side),
     * a branch whose undo gave up escalates the saga, naming every such branch; else the same backoff applies.
     */
    private static Decision groupSettled(SagaDefinition definition, SagaSnapshot saga, Event.GroupSettled settled) {
        Group group = groupRunAsOne(definition, saga);
        if (group == null) {
            throw new IllegalArgumentException("the saga stands on no group it runs as one (step " + saga.stepIndex() + ", "
                    + saga.status() + ")");
        }
        Direction direction = direction(saga);
        List<String> undoGaveUp = new ArrayList<>();
        StepDefinition gaveUp = null;
        StepFailure why = null;
        Duration soonest = null;
        for (int i = group.first(); i <= group.last(); i++) {
            StepDefinition branch = definition.step(i);
            StepFailure failure = settled.failed().get(branch.name());
            if (failure == null) {
                continue;
            }
            RetryPolicy policy = policy(branch, direction);
            int used = settled.used().getOrDefault(branch.name(), policy.attempts());
            if (policy.isRetryable(failure) && used < policy.attempts()) {
                Duration wait = policy.backoffAfter(used, settled.random());
                soonest = soonest == null || wait.compareTo(soonest) < 0 ? wait : soonest;
            } else if (direction == Direction.COMPENSATION) {
                undoGaveUp.add(describe(branch, failure));
            } else if (gaveUp == null || (branch.onFailure() == FailurePolicy.ESCALATE && gaveUp.onFailure() != FailurePolicy.ESCALATE)) {
                // a branch that asks for a person wins: undoing the group would bypass that ask
                gaveUp = branch;
                why = failure;
            }
        }
        if (!undoGaveUp.isEmpty()) {
            return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError("group " + group.name()
                    + ", undone side by side: " + String.join("; ", undoGaveUp)));
        }
        if (gaveUp != null) {
            String reason = "group " + group.name() + ": " + describe(gaveUp, why);
            if (gaveUp.onFailure() == FailurePolicy.ESCALATE) {
                return new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError(reason));
            }
            return nextCompensation(definition, saga.withStatus(SagaStatus.COMPENSATING).withLastError(reason), group.last(), null);
        }
        if (soonest != null) {
            return new Decision.Park(saga, soonest);
        }
        // nothing failed and branches are open: the run stopped starting them (a pause, a deadline) and says so itself
        if (!branchesToRun(definition, saga).isEmpty()) {
            return new Decision.Park(saga, Duration.ZERO);
        }
        return direction == Direction.FORWARD ? enter(definition, saga, group.last() + 1, false)
                : nextCompensation(definition, saga, group.first() - 1, null);
    }

    /**
     * The saga with the attempts of these branches of its group marked interrupted (their owner is gone, or an operator acts
     * while they were in flight): each branch may have taken effect.
     */
    public static SagaSnapshot interruptedBranches(SagaDefinition definition, SagaSnapshot saga, Set<String> branches) {
        SagaSnapshot s = saga;
        for (String branch : branches) {
            s = branchAttemptFailed(definition, s, branch, new UnknownOutcomeFailure("an attempt of " + branch
                    + " was left without outcome by its owner", null));
        }
        return s;
    }

    private static StepDefinition requireBranch(SagaDefinition definition, SagaSnapshot saga, String branch) {
        Group group = definition.groupAt(saga.stepIndex());
        int index = definition.indexOf(branch);
        if (group == null || !group.contains(index)) {
            throw new IllegalArgumentException("step '" + branch + "' is no branch of a group the saga stands on");
        }
        return definition.step(index);
    }

    // --- waiting for a signal ---

    /**
     * A signal kept for the await the saga stands on: a valid one that is no refusal is the step's output, and the saga
     * goes on; a refusal ({@code rejectWhen}) fails the step, and the saga compensates what came before; an invalid one
     * (sent by SQL, which cannot check it) is refused and the saga keeps waiting; one stored after the wait ran out is
     * too late: the timeout stands.
     */
    private static Decision signalReceived(SagaDefinition definition, SagaSnapshot saga, Event.SignalReceived signal) {
        StepDefinition step = current(definition, saga);
        if (saga.status() != SagaStatus.RUNNING || step.await() == null || saga.stepState(step.name()) != null) {
            return new Decision.Refused(saga, "The saga does not wait for a signal now (it is " + saga.status()
                    + " at step '" + step.name() + "')");
        }
        Await await = step.await();
        if (!await.signal().equals(signal.signal())) {
            return new Decision.Refused(saga, "Step '" + step.name() + "' waits for signal '" + await.signal() + "', not '"
                    + signal.signal() + "'");
        }
        List<InputSchema.Violation> violations = await.violations(signal.payload());
        if (!violations.isEmpty()) {
            return new Decision.Refused(saga, "The payload of signal '" + await.signal() + "' (id " + signal.signalId()
                    + ") does not match what step '" + step.name() + "' takes: " + violations.stream()
                    .map(v -> v.field() + " " + v.message()).collect(Collectors.joining("; ")));
        }
        if (saga.stepDeadlineAt() != null && signal.receivedAt().isAfter(saga.stepDeadlineAt())) {
            return timedOut(definition, saga, step);
        }
        SagaSnapshot signalled = saga.withStepState(step.name(), new StepState(Effect.DONE, signal.payload()));
        if (await.rejectWhen() != null) {
            String refusal;
            try {
                refusal = await.rejectWhen().holds(saga.input(), outputs(definition, saga), signal.payload())
                        ? step.name() + ": refused by signal '" + await.signal() + "' (id " + signal.signalId() + "): "
                        + await.rejectWhen().text() : null;
            } catch (IllegalStateException e) {
                refusal = step.name() + ": signal '" + await.signal() + "' (id " + signal.signalId() + ") cannot be told a"
                        + " refusal or not, so it counts as one: " + e.getMessage();
            }
            if (refusal != null) {
                // a refusal is a failure: what came before is undone, as when a step fails
                return nextCompensation(definition, signalled.withStatus(SagaStatus.COMPENSATING).withLastError(refusal),
                        saga.stepIndex(), null);
            }
        }
        return enter(definition, signalled, saga.stepIndex() + 1, false);
    }

    /**
     * No signal is kept for the await the saga stands on: it waits until its timeout, counted from the first time it
     * found none (that commit stores it as the step's deadline, so a restart keeps it); past it, the timeout acts.
     */
    private static Decision noSignalYet(SagaDefinition definition, SagaSnapshot saga, Instant now) {
        StepDefinition step = current(definition, saga);
        if (saga.status() != SagaStatus.RUNNING || step.await() == null || saga.stepState(step.name()) != null) {
            return new Decision.Continue(saga);
        }
        Instant until = saga.stepDeadlineAt();
        SagaSnapshot waiting = saga;
        if (until == null) {
            until = now.plus(step.await().timeout());
            waiting = saga.withDeadlines(saga.deadlineAt(), until);
        } else if (!until.isAfter(now)) {
            return timedOut(definition, saga, step);
        }
        return new Decision.Wait(waiting, step.await().signal(), Duration.between(now, until));
    }

    /** Nobody signalled in time: the await's {@code onTimeout} decides. */
    private static Decision timedOut(SagaDefinition definition, SagaSnapshot saga, StepDefinition step) {
        Await await = step.await();
        String why = step.name() + ": no signal '" + await.signal() + "' came within " + text(await.timeout())
                + " (the wait ran out at " + saga.stepDeadlineAt() + ")";
        return switch (await.onTimeout()) {
            case COMPENSATE -> {
                StepDefinition stuck = cannotBeUndone(definition, saga, saga.stepIndex());
                yield stuck != null ? new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError(why + "; step '"
                        + stuck.name() + "' may have taken effect and has no compensation, so a person must decide"))
                        : nextCompensation(definition, saga.withStatus(SagaStatus.COMPENSATING).withLastError(why),
                        saga.stepIndex(), null);
            }
            case ESCALATE -> new Decision.Escalate(saga.withStatus(SagaStatus.ESCALATED).withLastError(why + "; a person"
                    + " decides: retry waits again, skip gives the payload by hand, compensate undoes the saga"));
            case CONTINUE -> enter(definition, saga.withStepState(step.name(), new StepState(Effect.DONE,
                    JsonNodeFactory.instance.objectNode().put("timedOut", true))).withLastError(why), saga.stepIndex() + 1, false);
        };
    }

    /** A duration as the definitions write it: 10m, 90s, 1h30m, 0.5s. */
    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /**
     * The operator carried the current forward step out by hand: the saga goes on as if the step had succeeded with
     * the given output, so a later compensation undoes the hand-made effect with it like any other.
     */
    private static Decision skipByHand(SagaDefinition definition, SagaSnapshot saga, Event.OperatorSkip request) {
        StepDefinition step = current(definition, saga);
        if (saga.status() != SagaStatus.RUNNING && saga.status() != SagaStatus.ESCALATED) {
            return new Decision.Refused(saga, "A saga in status " + saga.status() + " has no forward step to skip");
        }
        if (saga.status() == SagaStatus.ESCALATED && !request.lastAttemptForward()) {
            return new Decision.Refused(saga, "The saga escalated while undoing step '" + step.name() + "', not going forward:"
                    + " skip only carries a saga forward; retry the compensation once its cause is fixed, or undo the step by"
                    + " hand and resolve");
        }
        Group group = definition.groupAt(saga.stepIndex());
        if (group != null) {
            // skip names one branch: any branch of the group still open
            List<String> open = openBranches(definition, saga).stream().map(StepDefinition::name).toList();
            if (!open.contains(request.step())) {
                return new Decision.Refused(saga, "The saga stands on group '" + group.name() + "', whose open branches are "
                        + String.join(", ", open) + ": only one of them can be skipped, not '" + request.step() + "'");
            }
            step = definition.step(definition.indexOf(request.step()));
        } else if (!step.name().equals(request.step())) {
            return new Decision.Refused(saga, "The saga stands on step '" + step.name() + "' (" + (saga.stepIndex() + 1) + " of "
                    + definition.stepCount() + "), not '" + request.step() + "': only the current step can be skipped");
        }
        SagaSnapshot s = request.interruptedAttempt() ? uncertain(saga, step) : saga;
        StepState state = s.stepState(step.name());
        if (state != null && state.effect() == Effect.UNCERTAIN && !request.forced()) {
            return new Decision.Refused(saga, "An earlier attempt of step '" + step.name() + "' may have taken effect (its outcome"
                    + " is unknown), so an effect made by hand could be a second one. Check that the earlier attempts left"
                    + " nothing, or give the output they made, then send \"force\": true");
        }
        Set<String> reads = new TreeSet<>(definition.outputReads(step.name()));
        reads.addAll(request.actionOutputFields());
        List<String> missing = missingFields(request.output(), reads);
        if (!missing.isEmpty()) {
            return new Decision.Refused(saga, "The output lacks " + String.join(", ", missing) + ", which later steps or the"
                    + " compensation of step '" + step.name() + "' read; give every one of: " + String.join(", ", reads));
        }
        Decision done = group != null
                ? branchSucceeded(definition, s.withStatus(SagaStatus.RUNNING), new Event.BranchSucceeded(step.name(), request.output()))
                : succeeded(definition, s.withStatus(SagaStatus.RUNNING), new Event.StepSucceeded(request.output()));
        // a saga that goes on is released to recovery, which runs the next step at once, with a fresh budget
        return done instanceof Decision.Continue next
                ? new Decision.Park(next.next().withLastError("step '" + step.name() + "' done by hand: " + request.note()), Duration.ZERO)
                : done;
    }

    /**
     * The saga moves to another version of its definition, when the steps it has passed are the same there, and goes
     * on where it stopped with a fresh budget under the new policies.
     */
    private static Decision replan(SagaDefinition definition, SagaSnapshot saga, Event.OperatorReplan request) {
        SagaDefinition target = request.target();
        if (target.hash().equals(saga.definitionHash())) {
            return new Decision.Refused(saga, "The saga runs on " + target.name() + " v" + target.version()
                    + " already, the current definition: there is nothing to move to");
        }
        DefinitionChanges changes = changes(definition, target, saga);
        if (!changes.fits()) {
            return new Decision.Refused(saga, "The saga cannot move from v" + definition.version() + " to v" + target.version()
                    + " of " + target.name() + ": " + String.join("; ", changes.mismatches()));
        }
        List<InputSchema.Violation> violations = target.inputViolations(saga.input());
        if (!violations.isEmpty()) {
            return new Decision.Refused(saga, "The saga's input does not fit v" + target.version() + ": " + violations.stream()
                    .map(v -> v.field() + " " + v.message()).collect(Collectors.joining("; ")));
        }
        for (int i = 0; i <= changes.passedUpTo() && i < definition.stepCount(); i++) {
            String name = definition.step(i).name();
            StepState state = saga.stepState(name);
            List<String> missing = state == null || state.output() == null ? List.of()
                    : missingFields(state.output(), target.outputReads(name));
            if (!missing.isEmpty()) {
                return new Decision.Refused(saga, "v" + target.version() + " reads " + String.join(", ", missing)
                        + " from the output of step '" + name + "', which the saga recorded without it");
            }
        }
        SagaStatus resumed = saga.status() != SagaStatus.ESCALATED ? saga.status()
                : request.lastAttemptForward() ? SagaStatus.RUNNING : SagaStatus.COMPENSATING;
        // a step awaiting its check under the old version is undone again, then checked as the new version says (if it does)
        return new Decision.Park(undoAgainAfterDrift(saga, saga.attempt()).withDefinition(target.version(), target.hash())
                .withStatus(resumed).withFreshBudget()
                .withLastError(saga.lastError() + " | moved from v" + definition.version() + " to v" + target.version()
                        + " by " + request.note()), Duration.ZERO);
    }

    /** What moving {@code saga} from {@code definition} to {@code target} changes: the steps it has passed must stay. */
    public static DefinitionChanges changes(SagaDefinition definition, SagaDefinition target, SagaSnapshot saga) {
        int passedUpTo = saga.status() == SagaStatus.COMPLETED ? saga.stepIndex() : definition.lastBegunAt(saga.stepIndex());
        for (int i = 0; i < definition.stepCount(); i++) {
            if (saga.stepState(definition.step(i).name()) != null) {
                passedUpTo = Math.max(passedUpTo, i);
            }
        }
        return DefinitionChanges.between(definition, target, passedUpTo);
    }

    /**
     * A saga escalated as drift (its step awaits a check that kept failing) is retried from the compensation: the undo is
     * made again (compensations are idempotent), then checked again. A check alone could never pass where the undo did
     * not take.
     */
    private static SagaSnapshot undoAgainAfterDrift(SagaSnapshot saga, int undoAttempts) {
        SagaSnapshot s = saga;
        for (var e : saga.stepStates().entrySet()) {
            if (e.getValue().effect() == Effect.CHECKING) {
                Effect before = e.getValue().output() != null ? Effect.DONE : Effect.UNCERTAIN;
                // the undo's attempt numbers go on from the last one of the compensation and its check
                // (the saga's own attempt is its last check's, which came after them: the higher of the two is safe)
                s = s.withStepState(e.getKey(), new StepState(before, e.getValue().output()))
                        .withAttempt(Math.max(undoAttempts, saga.attempt()));
            }
        }
        return s;
    }

    /** The dotted paths of {@code fields} that {@code output} has no value at: what a reader of it would miss. */
    private static List<String> missingFields(JsonNode output, Set<String> fields) {
        return fields.stream().filter(path -> {
            JsonNode node = output;
            for (String field : path.split("\\.")) {
                node = node.path(field);
            }
            return node.isMissingNode() || node.isNull();
        }).toList();
    }

    /** The step may have taken effect: compensation must undo it if it did. A step known to have an effect stays as it is. */
    private static SagaSnapshot uncertain(SagaSnapshot saga, StepDefinition step) {
        return Compensations.mayHaveEffect(saga.stepState(step.name())) ? saga
                : saga.withStepState(step.name(), new StepState(Effect.UNCERTAIN, null));
    }

    private static StepDefinition current(SagaDefinition definition, SagaSnapshot saga) {
        return definition.step(saga.stepIndex());
    }

    private static String describe(StepDefinition step, StepFailure f) {
        return step.name() + ": " + f.getClass().getSimpleName() + ": " + f.getMessage();
    }
}
