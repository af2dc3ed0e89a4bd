package io.sagaorchestrator.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.core.Decision;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.core.StepState;
import io.sagaorchestrator.core.Event;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.core.SagaTransitions;
import io.sagaorchestrator.definitions.Await;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.definitions.Group;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Every failure point of a definition, and what the engine does at each: the matrix a person reads before the saga
 * runs. It asks {@link SagaTransitions#decide} at every turn, exactly as the engine's run and recovery do, so what it
 * prints is what the rules say, never a second copy of them. It stands in for the world only: which attempts fail and
 * how, where the process dies, and in which order the branches of a parallel group, or their undos, end (the order they
 * started in). No database, no network, no clock.
 */
public final class FailurePoints {

    /** Far more turns than any definition needs: a walk that does not end is a fault in the rules, reported as such. */
    private static final int MAX_TURNS = 10_000;
    private static final Instant CREATED = Instant.EPOCH;

    private FailurePoints() {
    }

    /** The failure points of every step, in step order, each failure kind that applies to the step. */
    public static List<FailurePoint> of(SagaDefinition written) {
        // every condition holds, so that each step meets its failures; then each one false, on a walk of its own
        SagaDefinition definition = assuming(written, null);
        List<FailurePoint> points = new ArrayList<>();
        for (int i = 0; i < definition.stepCount(); i++) {
            StepDefinition step = definition.step(i);
            int at = i;
            Group group = definition.groupAt(at);
            if (group != null && group.forEach() != null && group.first() != at) {
                continue; // every item of a forEach fails as its first does: the first stands for them
            }
            if (step.await() != null) {
                // an await calls nothing and changes nothing: it fails only by its timeout or a refusal
                points.add(walk(definition, step, FailureKind.WAIT_TIMES_OUT, null, World.timingOutAt(at)));
                if (step.await().rejectWhen() != null) {
                    points.add(walk(assuming(written, null, step.name()), step, FailureKind.SIGNAL_REFUSED, null,
                            World.allSucceeding()));
                }
                points.add(walk(definition, step, FailureKind.KILLED_WHILE_WAITING, null, World.killedWhileWaitingAt(at)));
                if (definition.deadline() != null) {
                    points.add(walk(definition, step, FailureKind.DEADLINE_PASSES, null, World.deadlinePassingAt(at)));
                }
                continue;
            }
            if (step.when() != null) {
                points.add(walk(assuming(written, step.name()), step, FailureKind.CONDITION_FALSE, null, World.allSucceeding()));
            }
            points.add(walk(definition, step, FailureKind.REJECTED, null, World.failingForward(at, rejection())));
            if (retries(step.retry(), unavailability())) {
                points.add(walk(definition, step, FailureKind.BUDGET_SPENT, null, World.failingForward(at, unavailability())));
            }
            if (step.kind().callsThirdParty()) {
                points.add(walk(definition, step, FailureKind.UNKNOWN_OUTCOME, null, World.failingForward(at, unknownOutcome())));
                points.add(walk(definition, step, FailureKind.KILL_AFTER_INTENT, null, World.killedAfterIntent(at)));
            } else {
                points.add(walk(definition, step, FailureKind.KILL_AFTER_LOCAL_COMMIT, null, World.killedAfterLocalCommit(at)));
            }
            if (step.hasCompensation()) {
                points.add(compensationFails(definition, at));
            }
            if (step.hasCompensation() && group != null && group.undoneTogether()) {
                // undos side by side are in flight together: a kill leaves several without outcome at once
                points.add(undoing(definition, at, FailureKind.KILL_WHILE_UNDOING, world -> world.killedAfterUndoIntent(at)));
            }
            if (step.verify() != null) {
                points.add(checkFails(definition, at));
            }
            // a group's branches stand together under the saga's deadline: it passes once for the whole group
            if ((definition.deadline() != null || step.deadline() != null) && (group == null || group.first() == at)) {
                points.add(walk(definition, step, FailureKind.DEADLINE_PASSES, null, World.deadlinePassingAt(at)));
            }
        }
        return List.copyOf(points);
    }

    /**
     * The compensation of step {@code at} failing: it runs when a later step gives up and sends the saga back (the
     * first such step), or when the step's own outcome is unknown, or else only when an operator undoes a completed saga.
     */
    private static FailurePoint compensationFails(SagaDefinition definition, int at) {
        StepDefinition step = definition.step(at);
        StepFailure failing = retries(step.compensationRetry(), unavailability()) ? unavailability() : rejection();
        return undoing(definition, at, FailureKind.COMPENSATION_FAILS, world -> world.compensationFailing(at, failing));
    }

    /**
     * The check of step {@code at}'s compensation ({@code verify:}) finding, on every attempt of its budget, that the undo
     * did not take: the compensation answered success and the effect is still there. It runs when the compensation does.
     */
    private static FailurePoint checkFails(SagaDefinition definition, int at) {
        return undoing(definition, at, FailureKind.CHECK_FAILS, world -> world.checkFailing(at, new UnavailableFailure(
                "the resource still exists", null)));
    }

    /** A failure point of step {@code at}'s undoing, walked where its compensation first runs (see {@link #compensationFails}). */
    private static FailurePoint undoing(SagaDefinition definition, int at, FailureKind kind,
                                        java.util.function.UnaryOperator<World> failing) {
        StepDefinition step = definition.step(at);
        for (int later = at + 1; later < definition.stepCount(); later++) {
            StepDefinition trigger = definition.step(later);
            if (trigger.await() != null && trigger.onFailure() == FailurePolicy.COMPENSATE) {
                // an await fails by its timeout when that compensates, else by a refusal
                return trigger.await().onTimeout() == Await.OnTimeout.COMPENSATE
                        ? walk(definition, step, kind, "no signal comes in time at " + trigger.name(),
                        failing.apply(World.timingOutAt(later)))
                        : walk(assumingRefusal(definition, trigger.name()), step, kind, "the signal at " + trigger.name()
                        + " is a refusal", failing.apply(World.allSucceeding()));
            }
            if (trigger.onFailure() == FailurePolicy.COMPENSATE) {
                return walk(definition, step, kind, trigger.name() + " is rejected",
                        failing.apply(World.failingForward(later, rejection())));
            }
        }
        if (step.kind().callsThirdParty() && step.onFailure() == FailurePolicy.COMPENSATE) {
            return walk(definition, step, kind, step.name() + "'s outcome stays unknown",
                    failing.apply(World.failingForward(at, unknownOutcome())));
        }
        return walk(definition, step, kind, "an operator compensates the completed saga",
                failing.apply(World.completingThenUndoneByOperator()));
    }

    /** The definition with each condition taken as true, but that of step {@code falseAt} (none when null) as false. */
    private static SagaDefinition assuming(SagaDefinition definition, String falseAt) {
        return assuming(definition, falseAt, null);
    }

    /** The walk's definition with the await {@code refusing} (already walkable) refusing its signal. */
    private static SagaDefinition assumingRefusal(SagaDefinition walkable, String refusing) {
        List<StepDefinition> steps = walkable.steps().stream().map(s -> s.await() == null || !s.name().equals(refusing) ? s
                : StepDefinition.awaiting(s.name(), new Await(s.await().signal(), s.await().payload(), s.await().timeout(),
                s.await().onTimeout(), s.await().rejectWhen().assuming(true), s.await().roles()))).toList();
        return new SagaDefinition(walkable.name(), walkable.version(), walkable.description(), steps, walkable.hash(),
                walkable.source(), walkable.httpStart(), walkable.deadline(), walkable.liveKey(), walkable.search(),
                walkable.groups());
    }

    /**
     * The definition with each condition taken as true, but that of step {@code falseAt} (none when null) as false; each
     * await taking any payload (the walk sends an empty one), and refusing it only at step {@code refusing}; each forEach
     * running over a full list (the walk's input is empty), so that every item meets the failures of the others.
     */
    private static SagaDefinition assuming(SagaDefinition definition, String falseAt, String refusing) {
        List<StepDefinition> steps = definition.steps().stream().map(s -> s.await() != null
                ? StepDefinition.awaiting(s.name(), new Await(s.await().signal(), new InputSchema(Map.of()), s.await().timeout(),
                s.await().onTimeout(), s.await().rejectWhen() == null ? null
                : s.await().rejectWhen().assuming(s.name().equals(refusing)), s.await().roles()))
                : s.when() == null ? s : s.withWhen(s.when().assuming(!s.name().equals(falseAt)))).toList();
        List<Group> groups = definition.groups().stream().map(g -> g.forEach() == null ? g
                : g.withForEach(g.forEach().assumingFull())).toList();
        return new SagaDefinition(definition.name(), definition.version(), definition.description(), steps, definition.hash(),
                definition.source(), definition.httpStart(), definition.deadline(), definition.liveKey(), definition.search(),
                groups);
    }

    private static FailurePoint walk(SagaDefinition definition, StepDefinition step, FailureKind kind, String trigger, World world) {
        Path path = new Path();
        SagaSnapshot saga = new SagaSnapshot(new UUID(0, 0), definition.name(), definition.version(), definition.hash(),
                SagaStatus.RUNNING, null, JsonNodeFactory.instance.objectNode(), null, 0, 0, 0, Map.of(), 1, null, CREATED, null);
        saga = SagaTransitions.begun(definition, saga, CREATED);
        boolean operatorAsked = false;
        Map<Direction, Map<String, Integer>> branchAttempts = new EnumMap<>(Direction.class);
        for (int turn = 0; turn < MAX_TURNS; turn++) {
            Decision decision = turn(definition, saga, world, path, branchAttempts);
            path.skipped(definition, saga, decision.next());
            saga = decision.next();
            if (decision instanceof Decision.Park park) {
                path.waited(park.wakeIn());
            } else if (decision instanceof Decision.End || decision instanceof Decision.Escalate) {
                if (saga.status() == SagaStatus.COMPLETED && world.operatorUndoes() && !operatorAsked) {
                    operatorAsked = true;
                    path.note("completed; an operator asks to compensate it");
                    decision = SagaTransitions.decide(definition, saga,
                            new Event.OperatorCompensate(true, false, "an operator"));
                    saga = decision.next();
                    continue;
                }
                if (saga.status() == SagaStatus.COMPENSATED && !path.undid()) {
                    path.note("nothing took effect, so nothing is undone");
                }
                return new FailurePoint(step.name(), kind, trigger, path.lines(), saga.status(),
                        saga.status() == SagaStatus.ESCALATED ? saga.lastError() : null);
            } else if (decision instanceof Decision.Refused refused) {
                throw new IllegalStateException("the core refused a turn of the walk: " + refused.reason());
            }
        }
        throw new IllegalStateException("the walk of " + definition.name() + " at " + step.name() + " (" + kind.label()
                + ") did not end after " + MAX_TURNS + " turns");
    }

    /**
     * One run of the saga's current step, as the engine makes it: the deadline is looked at before a forward attempt,
     * a dead owner's intent is found by recovery, then the quick attempts the budget allows, each told to the core.
     */
    private static Decision turn(SagaDefinition definition, SagaSnapshot saga, World world, Path path,
                                 Map<Direction, Map<String, Integer>> branchAttempts) {
        StepDefinition step = definition.step(saga.stepIndex());
        Direction direction = SagaTransitions.direction(saga);
        RetryPolicy policy = SagaTransitions.policy(definition, saga);
        if (direction == Direction.FORWARD && world.deadlinePassesAt(saga.stepIndex())) {
            Instant passed = CREATED.plus(Duration.ofDays(365));
            Decision decision = SagaTransitions.decide(definition, saga.withDeadlines(CREATED, saga.stepDeadlineAt()),
                    new Event.DeadlinePassed(passed));
            if (!(decision instanceof Decision.Continue) || decision.next().status() != SagaStatus.RUNNING) {
                Group group = definition.groupAt(saga.stepIndex());
                path.note("the deadline passes at " + (group == null ? step.name() : "group " + group.name()));
                world.deadlineSeen();
                return decision;
            }
        }
        if (direction == Direction.FORWARD && step.await() != null) {
            return awaitTurn(definition, saga, step, world, path);
        }
        if (SagaTransitions.groupRunAsOne(definition, saga) != null) {
            return groupTurn(definition, saga, world, path, branchAttempts.computeIfAbsent(direction, d -> new HashMap<>()));
        }
        if (world.killsAfterIntentOf(saga.stepIndex(), direction, saga.attempt())) {
            saga = saga.withAttempt(saga.attempt() + 1);
            path.note("killed after the intent of " + step.name() + "'s attempt " + saga.attempt()
                    + "; recovery finds it without outcome");
            saga = SagaTransitions.decide(definition, saga, new Event.AttemptInterrupted()).next();
        }
        int quick = policy.inProcessAttemptsLeft(saga.attemptsUsed());
        if (quick == 0) {
            StepFailure spent = SagaTransitions.budgetSpent(policy, saga);
            path.attempts(step, direction, 0, spent);
            return SagaTransitions.decide(definition, saga, new Event.StepFailed(spent, 0.5));
        }
        for (int made = 1; ; made++) {
            saga = saga.withAttempt(saga.attempt() + 1);
            StepFailure failure = world.answer(saga.stepIndex(), direction);
            if (failure == null) {
                path.attempts(step, direction, made, null);
                if (direction == Direction.FORWARD && world.killsAfterLocalCommitOf(saga.stepIndex()) && step.kind() == StepKind.LOCAL) {
                    path.note("killed after " + step.name() + " committed; recovery goes on from the next step");
                }
                return SagaTransitions.decide(definition, saga, new Event.StepSucceeded(output(step)));
            }
            saga = SagaTransitions.decide(definition, saga, new Event.AttemptFailed(failure)).next();
            if (made >= quick || !policy.isRetryable(failure)) {
                path.attempts(step, direction, made, failure);
                return SagaTransitions.decide(definition, saga, new Event.StepFailed(failure, 0.5));
            }
        }
    }

    /**
     * One run of the group the saga runs as one ({@link SagaTransitions#groupRunAsOne}), as the engine makes it: going
     * forward its open branches, going back (a group undone side by side) the undos of the branches that took effect or
     * may have. They start in the order written, at most {@code maxConcurrency} at once, those that start together
     * committing their intents together, each making the quick attempts its budget allows. The walk lets them end in the
     * order they started, one that ends freeing its place for the next. Going forward, once a branch gives up (refused, or
     * its budget spent; one met with no attempt left gives up before its window starts) no further branch starts, and those
     * in flight end; going back, an undo that gives up stops none of its siblings'. One that may try again after its backoff
     * stops nothing. Every attempt is told to the core, and the run's end as the group settled; a process that dies after
     * the intents of a window leaves each branch in flight without outcome, for recovery to find.
     *
     * @param used the attempts each branch has made so far in the saga's direction, over every run: the engine counts
     *             them, not the core
     */
    private static Decision groupTurn(SagaDefinition definition, SagaSnapshot saga, World world, Path path,
                                      Map<String, Integer> used) {
        Group group = SagaTransitions.groupRunAsOne(definition, saga);
        Direction direction = SagaTransitions.direction(saga);
        boolean forward = direction == Direction.FORWARD;
        Deque<StepDefinition> waiting = new ArrayDeque<>(SagaTransitions.branchesToRun(definition, saga));
        Deque<StepDefinition> inFlight = new ArrayDeque<>();
        boolean firstRun = definition.steps().subList(group.first(), group.last() + 1).stream()
                .noneMatch(b -> used.containsKey(b.name()));
        Map<String, StepFailure> failed = new LinkedHashMap<>();
        StepDefinition ended = null;
        boolean gaveUp = false;
        while (true) {
            List<StepDefinition> starting = new ArrayList<>();
            while (!gaveUp && inFlight.size() + starting.size() < group.maxConcurrency() && !waiting.isEmpty()) {
                StepDefinition branch = waiting.poll();
                RetryPolicy policy = SagaTransitions.policy(branch, direction);
                if (policy.inProcessAttemptsLeft(used.getOrDefault(branch.name(), 0)) == 0) {
                    StepFailure spent = SagaTransitions.budgetSpent(policy, saga);
                    path.attempts(branch, direction, 0, spent);
                    failed.put(branch.name(), spent);
                    if (forward) {
                        gaveUp = true;
                        for (int i = starting.size() - 1; i >= 0; i--) {
                            waiting.addFirst(starting.get(i));
                        }
                        noFurther(group, inFlight, waiting, path);
                        starting.clear();
                    }
                } else {
                    starting.add(branch);
                }
            }
            if (!starting.isEmpty() && (firstRun || ended != null)) {
                path.note("group " + group.name() + (forward ? " starts " : " undoes ") + names(starting) + (ended == null
                        ? (starting.size() > 1 ? (forward ? " together" : " side by side") : "") + (waiting.isEmpty() ? ""
                        : " (at most " + group.maxConcurrency() + " at once)") : " as " + runOf(List.of(ended), direction)
                        + " ends"));
            }
            inFlight.addAll(starting);
            if (starting.stream().anyMatch(b -> world.killsAfterIntentOf(definition.indexOf(b.name()), direction,
                    used.getOrDefault(b.name(), 0)))) {
                return killedInFlight(definition, saga, group, direction, inFlight, path, used);
            }
            if (inFlight.isEmpty()) {
                break;
            }
            StepDefinition branch = inFlight.poll();
            ended = branch;
            BranchRun run = branchRun(definition, saga, branch, direction, world, path, used);
            saga = run.saga();
            if (run.failure() == null) {
                Decision done = SagaTransitions.decide(definition, saga, new Event.BranchSucceeded(branch.name(), output(branch)));
                saga = done.next();
                if (!(done instanceof Decision.Continue) || SagaTransitions.groupRunAsOne(definition, saga) != group) {
                    return done; // the last branch succeeded, or the last undo did: the saga has moved past the group
                }
                continue;
            }
            failed.put(branch.name(), run.failure());
            RetryPolicy policy = SagaTransitions.policy(branch, direction);
            if (forward && (!policy.isRetryable(run.failure()) || used.get(branch.name()) >= policy.attempts())) {
                gaveUp = true;
                noFurther(group, inFlight, waiting, path);
            }
        }
        Map<String, Integer> usedByFailed = new HashMap<>();
        failed.keySet().forEach(b -> usedByFailed.put(b, used.get(b)));
        Decision settled = SagaTransitions.decide(definition, saga, new Event.GroupSettled(failed, usedByFailed, 0.5));
        if (settled instanceof Decision.Park park) {
            path.note("group " + group.name() + " runs again in " + Path.duration(park.wakeIn()) + ", for "
                    + runOf(SagaTransitions.branchesToRun(definition, park.next()), direction));
        }
        return settled;
    }

    /** A branch has given up: what the group does with the others, when there are any. */
    private static void noFurther(Group group, Deque<StepDefinition> inFlight, Deque<StepDefinition> waiting, Path path) {
        if (inFlight.isEmpty() && waiting.isEmpty()) {
            return;
        }
        path.note("group " + group.name() + " starts no further branch"
                + (inFlight.isEmpty() ? "" : "; " + names(inFlight) + ", in flight, " + (inFlight.size() == 1 ? "ends" : "end"))
                + (waiting.isEmpty() ? "" : "; " + names(waiting) + (waiting.size() == 1 ? " does" : " do") + " not start"));
    }

    /** What one branch's run left: the saga its failed attempts were told to, and the failure it ended with, if any. */
    private record BranchRun(SagaSnapshot saga, StepFailure failure) {
    }

    /**
     * One branch's quick attempts in a run, in {@code direction} (the branch, or its undo), each failed one told to the core;
     * it ends with a failure when its last quick attempt fails, or one that is not worth retrying, or when it had no
     * attempt left to make. Its success is the caller's to tell, since that may move the saga past the group.
     */
    private static BranchRun branchRun(SagaDefinition definition, SagaSnapshot saga, StepDefinition branch, Direction direction,
                                       World world, Path path, Map<String, Integer> used) {
        RetryPolicy policy = SagaTransitions.policy(branch, direction);
        int quick = policy.inProcessAttemptsLeft(used.getOrDefault(branch.name(), 0));
        if (quick == 0) {
            StepFailure spent = SagaTransitions.budgetSpent(policy, saga);
            path.attempts(branch, direction, 0, spent);
            return new BranchRun(saga, spent);
        }
        for (int made = 1; ; made++) {
            used.merge(branch.name(), 1, Integer::sum);
            StepFailure failure = world.answer(definition.indexOf(branch.name()), direction);
            if (failure == null) {
                path.attempts(branch, direction, made, null);
                return new BranchRun(saga, null);
            }
            saga = SagaTransitions.decide(definition, saga, new Event.BranchAttemptFailed(branch.name(), failure)).next();
            if (made >= quick || !policy.isRetryable(failure)) {
                path.attempts(branch, direction, made, failure);
                return new BranchRun(saga, failure);
            }
        }
    }

    /**
     * The process dies once the intents of the branches in flight (or of their undos) have committed (they commit
     * together), before any outcome: recovery finds each of them without one, and runs the group again.
     */
    private static Decision killedInFlight(SagaDefinition definition, SagaSnapshot saga, Group group, Direction direction,
                                           Deque<StepDefinition> inFlight, Path path, Map<String, Integer> used) {
        path.note(inFlight.size() == 1 ? "killed after the intent of " + runOf(inFlight, direction) + "'s attempt "
                + (used.getOrDefault(inFlight.peek().name(), 0) + 1) + "; recovery finds it without outcome"
                : "killed after the intents of " + runOf(inFlight, direction) + " (group " + group.name()
                + " commits them together); recovery finds them without outcome");
        for (StepDefinition branch : inFlight) {
            used.merge(branch.name(), 1, Integer::sum);
            saga = SagaTransitions.decide(definition, saga, new Event.BranchAttemptFailed(branch.name(),
                    new UnknownOutcomeFailure("the process died between the intent and the outcome", null))).next();
        }
        return new Decision.Continue(saga);
    }

    /** What of these branches runs in {@code direction}: the branches going forward, their undos going back. */
    private static String runOf(java.util.Collection<StepDefinition> branches, Direction direction) {
        return direction == Direction.FORWARD ? names(branches)
                : (branches.size() == 1 ? "the undo of " : "the undos of ") + names(branches);
    }

    /** Step names as a person lists them: {@code a}, {@code a and b}, {@code a, b and c}. */
    private static String names(java.util.Collection<StepDefinition> steps) {
        List<String> names = steps.stream().map(StepDefinition::name).toList();
        return names.size() <= 1 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /**
     * The saga at an await, as the engine meets it: no signal yet, so it waits, released; then the signal comes (a
     * refusal where the walk's definition says so), or the timeout passes first.
     */
    private static Decision awaitTurn(SagaDefinition definition, SagaSnapshot saga, StepDefinition step, World world, Path path) {
        String signal = step.await().signal();
        if (saga.stepDeadlineAt() == null) {
            Decision waiting = SagaTransitions.decide(definition, saga, new Event.NoSignalYet(CREATED));
            if (waiting instanceof Decision.Wait) {
                path.note(step.name() + ": waits for signal '" + signal + "', released (no thread, no lease), up to "
                        + Path.duration(step.await().timeout()));
            }
            return waiting;
        }
        if (world.killsWhileWaitingAt(saga.stepIndex())) {
            path.note("killed while waiting: nothing is held; the saga's row says what it waits for until when, and any"
                    + " instance resumes it when the signal or the timeout makes it due");
        }
        if (world.timesOutAt(saga.stepIndex())) {
            path.note("no signal '" + signal + "' comes within " + Path.duration(step.await().timeout()) + ": onTimeout "
                    + step.await().onTimeout().yamlName());
            return SagaTransitions.decide(definition, saga, new Event.NoSignalYet(saga.stepDeadlineAt()));
        }
        Decision taken = SagaTransitions.decide(definition, saga, new Event.SignalReceived(signal, "walk",
                JsonNodeFactory.instance.objectNode(), CREATED));
        path.note(step.name() + ": signal '" + signal + "' comes" + (taken.next().status() == SagaStatus.COMPENSATING
                ? ", a refusal (" + step.await().rejectWhen().text() + ")" : ""));
        return taken;
    }

    /** What a step answers when it succeeds: every output field a declared call reads from the answer. */
    private static JsonNode output(StepDefinition step) {
        ObjectNode output = JsonNodeFactory.instance.objectNode();
        if (step.http() != null) {
            output.put(HttpCall.STATUS_FIELD, 200);
            step.http().outputFields().forEach(field -> output.put(field, "<" + field + ">"));
        }
        return output;
    }

    private static boolean retries(RetryPolicy policy, StepFailure failure) {
        return policy.isRetryable(failure) && policy.attempts() > 1;
    }

    private static StepFailure rejection() {
        return new RejectedFailure("refused");
    }

    private static StepFailure unavailability() {
        return new UnavailableFailure("unavailable", null);
    }

    private static StepFailure unknownOutcome() {
        return new UnknownOutcomeFailure("the answer was lost", null);
    }

    /** What the world does to the saga: every attempt succeeds except those the failure point makes fail. */
    private static final class World {
        private int failingStep = -1;
        private StepFailure forwardFailure;
        private int failingCompensation = -1;
        private StepFailure compensationFailure;
        private int failingCheck = -1;
        private StepFailure checkFailure;
        private int killedAfterIntent = -1;
        private int killedAfterUndoIntent = -1;
        private int killedAfterLocalCommit = -1;
        private int deadlineAt = -1;
        private boolean operatorUndoes;
        private int timeoutAt = -1;
        private int killedWhileWaiting = -1;

        static World timingOutAt(int step) {
            World world = new World();
            world.timeoutAt = step;
            return world;
        }

        static World killedWhileWaitingAt(int step) {
            World world = new World();
            world.killedWhileWaiting = step;
            return world;
        }

        boolean timesOutAt(int step) {
            return step == timeoutAt;
        }

        boolean killsWhileWaitingAt(int step) {
            return step == killedWhileWaiting;
        }

        static World failingForward(int step, StepFailure failure) {
            World world = new World();
            world.failingStep = step;
            world.forwardFailure = failure;
            return world;
        }

        static World allSucceeding() {
            return new World();
        }

        static World killedAfterIntent(int step) {
            World world = new World();
            world.killedAfterIntent = step;
            return world;
        }

        static World killedAfterLocalCommit(int step) {
            World world = new World();
            world.killedAfterLocalCommit = step;
            return world;
        }

        static World deadlinePassingAt(int step) {
            World world = new World();
            world.deadlineAt = step;
            return world;
        }

        static World completingThenUndoneByOperator() {
            World world = new World();
            world.operatorUndoes = true;
            return world;
        }

        World compensationFailing(int step, StepFailure failure) {
            failingCompensation = step;
            compensationFailure = failure;
            return this;
        }

        World killedAfterUndoIntent(int step) {
            killedAfterUndoIntent = step;
            return this;
        }

        World checkFailing(int step, StepFailure failure) {
            failingCheck = step;
            checkFailure = failure;
            return this;
        }

        StepFailure answer(int step, Direction direction) {
            return switch (direction) {
                case FORWARD -> step == failingStep ? forwardFailure : null;
                case COMPENSATION -> step == failingCompensation ? compensationFailure : null;
                case VERIFY -> step == failingCheck ? checkFailure : null;
            };
        }

        /** Whether the process dies after the intent of this attempt: only a step's first, going forward or back, dies so. */
        boolean killsAfterIntentOf(int step, Direction direction, int attempt) {
            return attempt == 0 && (direction == Direction.FORWARD ? step == killedAfterIntent
                    : direction == Direction.COMPENSATION && step == killedAfterUndoIntent);
        }

        boolean killsAfterLocalCommitOf(int step) {
            return step == killedAfterLocalCommit;
        }

        boolean deadlinePassesAt(int step) {
            return step == deadlineAt;
        }

        void deadlineSeen() {
            deadlineAt = -1;
        }

        boolean operatorUndoes() {
            return operatorUndoes;
        }
    }

    /** The walk as a person reads it: one line per run of a step, repeated runs folded into one with their waits. */
    private static final class Path {
        private final List<String> lines = new ArrayList<>();
        private String lastRun;
        private int runs;
        private int attempts;
        private final List<Duration> waits = new ArrayList<>();

        void attempts(StepDefinition step, Direction direction, int made, StepFailure failure) {
            String run = (switch (direction) {
                case FORWARD -> step.name();
                case COMPENSATION -> "undo " + step.name() + " (" + compensationLabel(step) + ")";
                case VERIFY -> "check undo of " + step.name() + " (" + step.verify().http().label() + ", expects "
                        + step.verify().expectation() + ")";
            })
                    + (failure == null ? ": ok" : ": fails, " + describe(failure));
            if (run.equals(lastRun)) {
                runs++;
                attempts += made;
                lines.set(lines.size() - 1, folded(run));
                return;
            }
            lastRun = run;
            runs = 1;
            attempts = made;
            waits.clear();
            lines.add(folded(run));
        }

        void waited(Duration wait) {
            if (lastRun != null && !wait.isZero()) {
                waits.add(wait);
                lines.set(lines.size() - 1, folded(lastRun));
            }
        }

        void note(String text) {
            lastRun = null;
            lines.add(text);
        }

        /**
         * The steps the core recorded as skipped by their condition in this turn; the branches of a group by the group's,
         * which the core records with each of them.
         */
        void skipped(SagaDefinition definition, SagaSnapshot before, SagaSnapshot after) {
            for (StepDefinition step : definition.steps()) {
                StepState state = after.stepState(step.name());
                if (state != null && state.effect() == Effect.SKIPPED && before.stepState(step.name()) == null) {
                    note(step.name() + ": skipped, " + (step.when() == null ? "its group's" : "its") + " condition is false ("
                            + state.output().path("when").asText() + ")");
                }
            }
        }

        boolean undid() {
            return lines.stream().anyMatch(line -> line.startsWith("undo "));
        }

        List<String> lines() {
            return lines;
        }

        private String folded(String run) {
            String text = run + (attempts > 1 ? " (" + attempts + " attempts" + (runs > 1 ? " in " + runs + " runs" : "") + ")" : "");
            if (!waits.isEmpty()) {
                text += ", waiting " + (waits.size() == 1 ? duration(waits.get(0))
                        : duration(waits.get(0)) + " to " + duration(waits.get(waits.size() - 1))) + " between runs";
            }
            return text;
        }

        private static String compensationLabel(StepDefinition step) {
            return step.compensationHttp() != null ? step.compensationHttp().label() : step.compensation();
        }

        private static String describe(StepFailure failure) {
            if (failure instanceof RejectedFailure) {
                return "rejected";
            }
            if (failure instanceof UnavailableFailure) {
                return failure.getMessage().equals("the resource still exists") ? "the resource still exists" : "unavailable";
            }
            return failure.getMessage().startsWith("the attempt budget") ? "no attempt left" : "outcome unknown";
        }

        static String duration(Duration d) {
            return d.toString().substring(2).toLowerCase(Locale.ROOT);
        }
    }
}
