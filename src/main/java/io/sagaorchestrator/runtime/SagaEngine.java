package io.sagaorchestrator.runtime;

import io.sagaorchestrator.core.Decision;
import io.sagaorchestrator.core.Event;
import io.sagaorchestrator.core.SagaTransitions;

import io.sagaorchestrator.definitions.InputSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.f4b6a3.uuid.UuidCreator;
import com.github.rholder.retry.Attempt;
import com.github.rholder.retry.RetryException;
import com.github.rholder.retry.RetryListener;
import com.github.rholder.retry.Retryer;
import com.github.rholder.retry.RetryerBuilder;
import com.github.rholder.retry.StopStrategies;
import com.github.rholder.retry.WaitStrategies;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sagaorchestrator.steps.LocalAction;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import io.sagaorchestrator.definitions.KeyNotInInputException;
import io.sagaorchestrator.definitions.LiveKey;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.core.AttemptRecord;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.store.HeldBack;
import io.sagaorchestrator.store.LeaseLostException;
import io.sagaorchestrator.store.NewSaga;
import io.sagaorchestrator.store.Recorded;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.store.SagaPausedException;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.core.StepState;
import io.sagaorchestrator.telemetry.SagaTracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.PriorityQueue;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import io.sagaorchestrator.definitions.Group;

/**
 * Advances sagas step by step, writing ahead to the saga log.
 *
 * <p>The log is the truth: before a remote call its intent is committed, and a local step's effect
 * commits together with its log row. Outcomes of remote calls are held in memory and written with
 * the next commit (the next intent, the next local step, or the end), which keeps a successful
 * user-sync saga at two commits: if the process dies before that commit, the intent without an
 * outcome tells the next owner that the call's outcome is unknown, and it reconciles.
 *
 * <p>A commit that finds the database out of reach is tried again for up to a lease, so that a moment without it
 * (a failover, a pool that hands out no connection in time) does not cost the next owner a second call of what this run
 * holds in memory. A run whose database stays away, or that finds its lease taken, stops: whatever it had not
 * committed is re-derived from the log by whoever resumes the saga. One whose saga an operator paused finds the pause
 * in the commit that would begin the next attempt; it commits what it held back, releases the saga and stops.
 */
@ApplicationScoped
public class SagaEngine {

    private static final Logger LOG = Logger.getLogger(SagaEngine.class);
    private static final long NO_DEADLINE = Long.MIN_VALUE;

    private final DefinitionRegistry definitions;
    private final ActionRegistry actions;
    private final RemoteCalls remoteCalls;
    private final SagaLog log;
    private final SagaRunner runner;
    private final SagaCompletions completions;
    private final SagaEvents events;
    private final EngineConfig config;
    private final Instance instance;
    private final CrashPoints crashPoints;
    private final TransactionSynchronizationRegistry transactions;
    private final ThirdPartyUrls thirdPartyUrls;
    private final SagaTracing tracing;
    private final Map<QuickRetries, Retryer<JsonNode>> retryers = new ConcurrentHashMap<>();
    private final Retryer<Transition> commits;

    SagaEngine(DefinitionRegistry definitions, ActionRegistry actions, RemoteCalls remoteCalls, SagaLog log,
               SagaRunner runner, SagaCompletions completions, SagaEvents events, EngineConfig config, Instance instance,
               CrashPoints crashPoints, TransactionSynchronizationRegistry transactions,
               ThirdPartyUrls thirdPartyUrls, SagaTracing tracing) {
        this.definitions = definitions;
        this.actions = actions;
        this.remoteCalls = remoteCalls;
        this.log = log;
        this.runner = runner;
        this.completions = completions;
        this.events = events;
        this.config = config;
        this.instance = instance;
        this.crashPoints = crashPoints;
        this.transactions = transactions;
        this.thirdPartyUrls = thirdPartyUrls;
        this.tracing = tracing;
        this.commits = RetryerBuilder.<Transition>newBuilder()
                .retryIfException(LocalFailures::outOfReach)
                .withWaitStrategy(WaitStrategies.exponentialWait(50, 1, TimeUnit.SECONDS))
                // by then another instance may hold the saga, and the fenced update would refuse the commit anyway
                .withStopStrategy(StopStrategies.stopAfterDelay(config.lease().toMillis(), TimeUnit.MILLISECONDS))
                .withRetryListener(new RetryListener() {
                    @Override
                    public <V> void onRetry(Attempt<V> attempt) {
                        String warning = outageWarning(attempt, config.lease());
                        if (warning != null) {
                            LOG.warn(warning);
                        }
                    }
                })
                .build();
    }

    /**
     * The warning that a commit is tried again, once per commit: guava-retrying calls its listener after every attempt,
     * before it decides whether to retry, so the listener must not take a refusal (a broken constraint, which fails the
     * step at once) for an outage.
     *
     * @return null when nothing is to be said of this attempt
     */
    static String outageWarning(Attempt<?> attempt, Duration lease) {
        if (!attempt.hasException() || attempt.getAttemptNumber() != 1 || !LocalFailures.outOfReach(attempt.getExceptionCause())) {
            return null;
        }
        return "The saga log is out of reach (" + attempt.getExceptionCause().getMessage() + "); this run tries its commit again"
                + " for up to " + lease.toMillis() + " ms";
    }

    /** What starting a saga gave: the saga, whether this request created it, and a way to wait for its end. */
    public record Started(UUID sagaId, boolean created, CompletableFuture<SagaSnapshot> ended) {
    }

    /**
     * Records a new saga (with the intent of its first step, when that is remote) in one commit,
     * then advances it: on the calling thread for up to {@code runHere}, since its caller waits for
     * the outcome anyway, and in the background after that (a step under way is finished first). Once this returns, the saga is in the log and
     * will end, whatever happens to this process. A key the same caller sent before returns the saga
     * it started first; another caller's keys are not seen.
     *
     * @throws IdempotencyKeyReusedException when the key was used before with another input
     * @throws io.sagaorchestrator.store.SagaLogUnavailableException when the saga could not be recorded
     */
    public Started start(SagaDefinition definition, JsonNode input, String businessKey, String caller, String idempotencyKey,
                         Duration runHere) {
        Run run = newRun(definition, input, businessKey);
        CompletableFuture<SagaSnapshot> ended = completions.watch(run.saga.id());
        if (run.preparedIntent != null) {
            crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
        }
        Recorded recorded;
        try {
            recorded = log.record(newSaga(definition, run, caller, idempotencyKey));
        } catch (RuntimeException e) {
            completions.forget(run.saga.id(), ended);
            run.span.end();
            throw e;
        }
        if (recorded.kind() == Recorded.Kind.DUPLICATE || recorded.kind() == Recorded.Kind.KEY_HELD) {
            completions.forget(run.saga.id(), ended);
            run.span.end();
            if (recorded.kind() == Recorded.Kind.KEY_HELD) {
                throw new LiveKeyHeldException(definition.name(), run.liveKey, recorded.holder());
            }
            return log.inNewTransaction((l, c) -> existing(definition, input, caller, idempotencyKey, l));
        }
        events.started(definition.name());
        if (recorded.kind() == Recorded.Kind.WAITING) {
            waits(run, recorded);
            return new Started(run.saga.id(), true, ended);
        }
        long deadline = System.nanoTime() + runHere.toNanos();
        runner.runHere(run.saga.id(), () -> advance(run, deadline));
        return new Started(run.saga.id(), true, ended);
    }

    /** The saga to record, with its key when its definition has one. */
    private NewSaga newSaga(SagaDefinition definition, Run run, String caller, String idempotencyKey) {
        LiveKey key = definition.liveKey();
        return new NewSaga(run.saga, caller, idempotencyKey, instance.id(), config.lease(), run.preparedIntent, run.liveKey,
                key != null && key.whileLive() == LiveKey.WhileLive.REFUSE);
    }

    /** A saga recorded behind the holder of its key: it runs, here or elsewhere, once the commit that ends the holder hands the key on. */
    private void waits(Run run, Recorded recorded) {
        LOG.infof("Saga %s waits for saga %s, which holds the key %s", run.saga.id(), recorded.holder(), run.liveKey);
        run.span.end();
    }

    /**
     * The transactional outbox: records the saga in the caller's transaction, beside the caller's own
     * writes. If that transaction rolls back, the saga is gone with them; once it commits, the saga
     * runs, even if this process dies right after the commit (recovery takes it over when the lease
     * runs out). The definition must start with a remote or outbox step: the caller's transaction is
     * its local part.
     *
     * @throws IllegalStateException when no transaction is active
     */
    public Started enlist(SagaDefinition definition, JsonNode input, String businessKey, String caller, String idempotencyKey) {
        if (!QuarkusTransaction.isActive()) {
            throw new IllegalStateException("enlisting saga '" + definition.name() + "' needs the caller's transaction:"
                    + " call it from a @Transactional method");
        }
        if (!definition.step(0).kind().callsThirdParty()) {
            throw new IllegalArgumentException("saga '" + definition.name() + "' starts with a local step; an enlisted saga must"
                    + " start with a remote or outbox step, since the caller's transaction is its local part");
        }
        Run run = newRun(definition, input, businessKey);
        Recorded recorded = log.insert(newSaga(definition, run, caller, idempotencyKey));
        if (recorded.kind() == Recorded.Kind.DUPLICATE) {
            run.span.end();
            return existing(definition, input, caller, idempotencyKey, log);
        }
        if (recorded.kind() == Recorded.Kind.KEY_HELD) {
            run.span.end();
            throw new LiveKeyHeldException(definition.name(), run.liveKey, recorded.holder());
        }
        CompletableFuture<SagaSnapshot> ended = completions.watch(run.saga.id());
        if (recorded.kind() == Recorded.Kind.WAITING) {
            // held in the caller's transaction: a rollback takes the waiting saga with it, a commit leaves it to wait
            waits(run, recorded);
            return new Started(run.saga.id(), true, ended);
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // nothing to add to the caller's transaction
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    advanceInBackground(run);
                } else {
                    completions.forget(run.saga.id(), ended);
                    run.span.end();
                }
            }
        });
        return new Started(run.saga.id(), true, ended);
    }

    /**
     * A new saga owned by this instance; when its first step is remote, with the intent of its first attempt.
     *
     * @throws ThirdPartyNotConfiguredException when the saga could only fail, for a third party without URL
     * @throws KeyNotInInputException           when the input gives the definition's key no value
     */
    private Run newRun(SagaDefinition definition, JsonNode input, String businessKey) {
        thirdPartyUrls.requireConfigured(definition);
        // before anything is begun: an input that gives the key no value is refused here
        String liveKey = definition.liveKey() == null ? null : definition.liveKey().valueFor(input);
        SagaSnapshot saga = new SagaSnapshot(UuidCreator.getTimeOrderedEpoch(), definition.name(), definition.version(),
                definition.hash(), SagaStatus.RUNNING, businessKey, input, null, 0, 0, 0, Map.of(), 1, null, Instant.now(), null);
        saga = SagaTransitions.begun(definition, saga, saga.createdAt());
        StepDefinition first = definition.step(0);
        // a group's intents commit together, in the group's first commit
        AttemptRecord intent = first.kind().callsThirdParty() && definition.groupAt(0) == null
                ? intent(saga.withAttempt(1), first, Direction.FORWARD, 1, saga.createdAt()) : null;
        Attributes traced = SagaTracing.of(saga);
        Span root = tracing.startSaga(saga, traced);
        saga = saga.withTraceParent(SagaTracing.traceParent(root));
        Run run = new Run(definition, intent != null ? saga.withAttempt(1) : saga, traced, root);
        run.preparedIntent = intent;
        run.liveKey = liveKey;
        return run;
    }

    private void advanceInBackground(Run run) {
        events.started(run.definition.name());
        runner.submit(run.saga.id(), () -> advance(run));
    }

    /** Advances the saga as long as it takes, on the calling thread. */
    private void advance(Run run) {
        advance(run, NO_DEADLINE);
    }

    /** The saga the caller started with the key before, read through {@code reader}: in the caller's transaction, or one of its own. */
    private Started existing(SagaDefinition definition, JsonNode input, String caller, String idempotencyKey, SagaLog reader) {
        SagaSnapshot saga = reader.findByIdempotencyKey(definition.name(), caller, idempotencyKey)
                .flatMap(reader::load).orElseThrow(() -> new IllegalStateException("idempotency key " + idempotencyKey + " vanished"));
        if (!saga.input().equals(input)) {
            throw new IdempotencyKeyReusedException(idempotencyKey, saga.id());
        }
        CompletableFuture<SagaSnapshot> ended = completions.watch(saga.id());
        if (saga.status().isTerminal()) {
            completions.ended(saga);
        }
        return new Started(saga.id(), false, ended);
    }

    /** Continues a saga this instance has just claimed from the log (see the recovery loop). */
    public void resume(SagaSnapshot claimed) {
        runner.submit(claimed.id(), () -> {
            SagaDefinition definition;
            try {
                definition = definitions.forSaga(claimed.definitionName(), claimed.definitionVersion(), claimed.definitionHash());
            } catch (RuntimeException e) {
                // e.g. a release that no longer has an action the saga's definition names: a person must decide
                LOG.errorf(e, "Saga %s cannot be resumed: its definition cannot be read", claimed.id());
                endUnrun(SagaTransitions.definitionUnreadable(claimed, e.getMessage()));
                return;
            }
            SagaSnapshot resumed = claimed;
            if (claimed.stepIndex() == 0 && claimed.attempt() == 0 && claimed.status() == SagaStatus.RUNNING) {
                // not begun: dispatched by SQL, whose input nothing has checked yet
                List<InputSchema.Violation> violations = definition.inputViolations(claimed.input());
                if (!violations.isEmpty()) {
                    Decision escalated = SagaTransitions.inputRefused(claimed, violations);
                    LOG.errorf("Saga %s escalated: %s", claimed.id(), escalated.next().lastError());
                    endUnrun(escalated);
                    return;
                }
                if (definition.liveKey() != null && !tookKey(claimed, definition)) {
                    return;
                }
                // SQL cannot read the definition's deadline: it is stored with this run's first commit
                resumed = SagaTransitions.begun(definition, claimed, Instant.now());
            }
            Attributes traced = SagaTracing.of(claimed);
            Span span = tracing.resumeSaga(claimed, traced);
            Run run = new Run(definition, resumed, traced, span);
            String traceParent = SagaTracing.traceParent(span);
            if (claimed.traceParent() == null && traceParent != null) {
                // its first traced run: the saga's trace starts here, stored with this run's next commit
                run.saga = run.saga.withTraceParent(traceParent);
                run.heldBack.traceParent(traceParent);
            }
            markInterruptedAttempt(run);
            advance(run);
        });
    }

    /**
     * A saga dispatched by SQL, which cannot read the definition's key, takes it before its first step; when another
     * saga holds it, this one waits for it, released, and runs once the holder has ended.
     */
    private boolean tookKey(SagaSnapshot claimed, SagaDefinition definition) {
        String key;
        try {
            key = definition.liveKey().valueFor(claimed.input());
        } catch (KeyNotInInputException e) {
            Decision ended = SagaTransitions.keyUnreadable(claimed, e.getMessage());
            LOG.warnf("Saga %s ended: %s", claimed.id(), ended.next().lastError());
            endUnrun(ended);
            return false;
        }
        UUID holder = log.inNewTransaction((l, c) -> l.takeKey(claimed.id(), key));
        if (holder != null) {
            LOG.infof("Saga %s waits for saga %s, which holds the key %s", claimed.id(), holder, key);
        }
        return holder == null;
    }

    /** Ends a saga that cannot run at all: ESCALATED with its alert, or ended, in one commit. */
    private void endUnrun(Decision decision) {
        log.inNewTransaction((l, c) -> l.carryOut(decision, null));
        events.ended(decision.next());
    }

    /**
     * When the previous owner died between an intent and its outcome, the attempt's outcome is
     * unknown: record it so, and treat the step as possibly done.
     */
    private void markInterruptedAttempt(Run run) {
        SagaSnapshot s = run.saga;
        if (s.attempt() == 0) {
            return;
        }
        StepDefinition step = run.definition.step(s.stepIndex());
        Direction direction = SagaTransitions.direction(s);
        Group group = SagaTransitions.groupRunAsOne(run.definition, s);
        List<AttemptRecord> attempts = log.inNewTransaction((l, c) -> l.attempts(s.id()));
        if (group != null) {
            // every branch in flight when the owner stopped may have taken effect (going back: may have been undone)
            for (StepDefinition branch : run.definition.steps().subList(group.first(), group.last() + 1)) {
                attempts.stream().filter(a -> a.pendingOn(branch.name(), direction)).forEach(a -> {
                    run.heldBack.outcome(a.interrupted(Instant.now()));
                    run.saga = SagaTransitions.decide(run.definition, run.saga, new Event.BranchAttemptFailed(branch.name(),
                            new UnknownOutcomeFailure("attempt " + a.attempt() + " was interrupted: its owner stopped before"
                                    + " its outcome was recorded", null))).next();
                });
            }
            return;
        }
        attempts.stream()
                .filter(a -> a.pendingOn(step.name(), direction))
                .forEach(a -> {
                    run.heldBack.outcome(a.interrupted(Instant.now()));
                    run.saga = SagaTransitions.decide(run.definition, run.saga, new Event.AttemptInterrupted()).next();
                });
    }

    /**
     * Advances the saga until it ends or waits for a scheduled retry; when {@code deadline} (a
     * {@link System#nanoTime()}) passes first, it stops between two steps.
     *
     * @return the rest of the run, to be carried on elsewhere; null when nothing is left to do here
     */
    private Runnable advance(Run run, long deadline) {
        MDC.put("sagaId", run.saga.id().toString());
        boolean handedOn = false;
        try {
            while (!run.saga.status().isTerminal() && !run.parked) {
                if (deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0) {
                    handedOn = true;
                    return () -> advance(run);
                }
                try {
                    step(run);
                } catch (SagaPausedException e) {
                    LOG.infof("Saga %s is paused: this run releases it before its next attempt", run.saga.id());
                    carryOut(run, SagaTransitions.decide(run.definition, run.saga, new Event.PausedBeforeAttempt()));
                }
            }
            if (run.saga.status().isTerminal()) {
                completions.ended(run.saga);
                events.ended(run.saga);
            }
        } catch (LeaseLostException e) {
            LOG.infof("Saga %s was taken over by another instance; this run stops", run.saga.id());
        } catch (RuntimeException e) {
            LOG.warnf(e, "Run of saga %s stopped (%s); the log keeps its state and recovery resumes it once the lease expires",
                    run.saga.id(), e.getMessage());
        } finally {
            MDC.remove("sagaId");
            if (!handedOn) {
                SagaTracing.endRun(run.span, run.saga);
            }
        }
        return null;
    }

    /** Runs the current step in the saga's direction, and carries out what the transition core decides of its outcome. */
    private void step(Run run) {
        if (run.preparedIntent == null && SagaTransitions.untold(run.definition, run.saga)) {
            Decision told = SagaTransitions.decide(run.definition, run.saga, new Event.StepReached());
            if (told.next().stepIndex() != run.saga.stepIndex() || told.next().status() != run.saga.status()) {
                carryOut(run, told);
                return;
            }
            run.saga = told.next(); // what the move records (a forEach's items counted) rides with the next commit
        }
        SagaSnapshot before = run.saga;
        StepDefinition step = run.definition.step(before.stepIndex());
        Direction direction = SagaTransitions.direction(before);
        Group group = SagaTransitions.groupRunAsOne(run.definition, before);
        if (group != null) {
            group(run, group, direction);
            return;
        }
        if (step.await() != null && direction == Direction.FORWARD) {
            await(run, step);
            return;
        }
        StepRun outcome;
        try {
            beforeForwardAttempt(run);
            outcome = step.kind().callsThirdParty() ? remote(run, step, direction) : local(run, step, direction);
        } catch (DeadlineReached e) {
            Decision decision = SagaTransitions.decide(run.definition, run.saga, new Event.DeadlinePassed(Instant.now()));
            LOG.infof("Saga %s: %s; %s", run.saga.id(), decision.next().lastError(), decision.next().status());
            events.deadlinePassed(run.saga.definitionName());
            carryOut(run, decision);
            return;
        }
        if (outcome instanceof StepRun.Succeeded ok) {
            if (!step.kind().callsThirdParty() && direction == Direction.FORWARD) {
                return; // a forward local step's transaction has stored the decided next state already
            }
            carryOut(run, SagaTransitions.decide(run.definition, run.saga, new Event.StepSucceeded(ok.output())));
        } else if (outcome instanceof StepRun.Failed failed) {
            Decision decision = SagaTransitions.decide(run.definition, run.saga,
                    new Event.StepFailed(failed.failure(), ThreadLocalRandom.current().nextDouble()));
            if (decision instanceof Decision.Park park) {
                LOG.infof("Saga %s: %s; next attempt in %d ms", run.saga.id(), failed.failure().getMessage(),
                        scaled(park.wakeIn()).toMillis());
            } else if (before.status() == SagaStatus.RUNNING && decision.next().status() != SagaStatus.ESCALATED) {
                LOG.infof("Saga %s: step %s failed (%s); compensating", run.saga.id(), step.name(), failed.failure().getMessage());
            }
            carryOut(run, decision);
        }
    }

    /**
     * The saga stands on an await: a signal kept for it (sent while it waited, or before it came) is taken; without one
     * the saga is released to wait, holding no thread and no lease, until its signal or its timeout makes it due again.
     * A signal whose payload does not fit (sent by SQL, which cannot check it) is set aside, and the saga waits on.
     */
    private void await(Run run, StepDefinition step) {
        String signal = step.await().signal();
        var kept = log.inNewTransaction((l, c) -> l.keptSignal(run.saga.id(), signal));
        if (kept.isPresent()) {
            var k = kept.get();
            Decision decision = SagaTransitions.decide(run.definition, run.saga,
                    new Event.SignalReceived(signal, k.signalId(), k.payload(), k.receivedAt()));
            if (decision instanceof Decision.Refused refused) {
                LOG.warnf("Saga %s: %s; it waits on", run.saga.id(), refused.reason());
                log.inNewTransaction((l, c) -> {
                    l.refuseSignal(run.saga.id(), k.signalId(), refused.reason());
                    return null;
                });
                return; // the next turn of the run finds no signal, and waits
            }
            LOG.infof("Saga %s: step %s took signal %s (id %s from %s)", run.saga.id(), step.name(), signal, k.signalId(),
                    k.sender());
            events.signalled(run.saga.definitionName(), decision.next().status() == SagaStatus.COMPENSATING);
            carryOut(run, decision);
            return;
        }
        Instant now = Instant.now();
        boolean timeoutIsEarliest = run.saga.stepDeadlineAt() != null
                && run.saga.stepDeadlineAt().equals(SagaTransitions.deadline(run.saga));
        boolean sagaDeadline = SagaTransitions.deadlinePassed(run.saga, now) && !timeoutIsEarliest;
        Decision decision = sagaDeadline
                ? SagaTransitions.decide(run.definition, run.saga, new Event.DeadlinePassed(now))
                : SagaTransitions.decide(run.definition, run.saga, new Event.NoSignalYet(now));
        if (decision instanceof Decision.Wait) {
            LOG.infof("Saga %s waits for signal %s at step %s, until %s", run.saga.id(), signal, step.name(),
                    decision.next().stepDeadlineAt());
        } else {
            LOG.infof("Saga %s: %s; %s", run.saga.id(), decision.next().lastError(), decision.next().status());
            if (sagaDeadline) {
                events.deadlinePassed(run.saga.definitionName());
            } else {
                events.awaitTimedOut(run.saga.definitionName());
            }
        }
        carryOut(run, decision);
    }

    /**
     * The saga stands on a parallel group it runs as one: going forward, or going back when the group is undone side by
     * side. Its branches to run run side by side, at most its {@code maxConcurrency} in flight, started in the order
     * written. The intents of the branches that start together commit in one commit; the calls run on the runner's branch
     * threads while this run's thread keeps the saga: it commits, records each outcome (held back, riding with the next
     * commit, as a single step's does) and asks the core what each means. A branch's quick retries go on beside the others.
     * Going forward, once a branch gives up, or a pause or the deadline is found, no further branch starts; going back,
     * only a pause stops the starting (undoing is never cut short, and one undo that gives up does not stop the others').
     * The branches in flight always end and are recorded first (never abandoned), then the core decides for the group as a
     * whole.
     */
    private void group(Run run, Group group, Direction direction) {
        boolean forward = direction == Direction.FORWARD;
        SagaStatus going = run.saga.status();
        Map<String, Integer> used = attemptsUsed(run, group, direction);
        Map<String, Integer> quickLeft = new HashMap<>();
        Deque<StepDefinition> ready = new ArrayDeque<>(SagaTransitions.branchesToRun(run.definition, run.saga));
        for (StepDefinition branch : ready) {
            quickLeft.put(branch.name(), SagaTransitions.policy(branch, direction)
                    .inProcessAttemptsLeft(used.getOrDefault(branch.name(), 0)));
        }
        Map<String, StepFailure> failed = new LinkedHashMap<>();
        PriorityQueue<Retry> retries = new PriorityQueue<>(Comparator.comparingLong(Retry::at));
        CompletionService<BranchCall> calls = new ExecutorCompletionService<>(runner.branchThreads());
        int inFlight = 0;
        boolean gaveUp = false;
        Event stoppedBy = null;
        Decision groupDone = null;
        while (true) {
            while (!retries.isEmpty() && retries.peek().at() - System.nanoTime() <= 0) {
                ready.addFirst(retries.poll().branch());
            }
            boolean starts = !(forward && gaveUp) && stoppedBy == null;
            if (starts && !ready.isEmpty() && inFlight < group.maxConcurrency()) {
                List<StepDefinition> starting = new ArrayList<>();
                while (!ready.isEmpty() && inFlight + starting.size() < group.maxConcurrency()) {
                    StepDefinition branch = ready.pollFirst();
                    if (quickLeft.get(branch.name()) == 0) {
                        failed.put(branch.name(), SagaTransitions.budgetSpent(SagaTransitions.policy(branch, direction), run.saga));
                        gaveUp = true;
                        if (forward) {
                            break;
                        }
                        continue;
                    }
                    starting.add(branch);
                }
                Instant now = Instant.now();
                if (forward && !gaveUp && SagaTransitions.deadlinePassed(run.saga, now)) {
                    stoppedBy = new Event.DeadlinePassed(now);
                } else if (!(forward && gaveUp) && !starting.isEmpty()) {
                    try {
                        List<BranchAttempt> begun = beginBranches(run, starting, now, direction);
                        for (BranchAttempt started : begun) {
                            quickLeft.merge(started.step().name(), -1, Integer::sum);
                            used.merge(started.step().name(), 1, Integer::sum);
                            calls.submit(() -> callBranch(run, started, direction));
                            inFlight++;
                        }
                        for (int i = starting.size() - 1; i >= begun.size(); i--) {
                            ready.addFirst(starting.get(i));
                        }
                    } catch (SagaPausedException e) {
                        LOG.infof("Saga %s is paused: its group %s starts no further branch", run.saga.id(), group.name());
                        stoppedBy = new Event.PausedBeforeAttempt();
                    } catch (RejectedFailure f) {
                        // a branch that cannot describe its request never could: it fails before anything started
                        StepDefinition cannot = starting.get(0);
                        failed.put(cannot.name(), f);
                        run.saga = SagaTransitions.decide(run.definition, run.saga, new Event.BranchAttemptFailed(cannot.name(), f)).next();
                        gaveUp = true;
                        for (int i = starting.size() - 1; i >= 1; i--) {
                            ready.addFirst(starting.get(i)); // going back, the others still start
                        }
                    }
                }
            }
            if (inFlight == 0 && ((forward && gaveUp) || stoppedBy != null || (ready.isEmpty() && retries.isEmpty()))) {
                break;
            }
            BranchCall ended = nextEnded(calls, inFlight, retries);
            if (ended == null) {
                continue; // a quick retry is due
            }
            inFlight--;
            StepDefinition branch = ended.attempt().step();
            events.attempt(run.saga, branch.name(), direction, ended.outcome(), ended.nanos());
            run.heldBack.outcome(ended.record());
            if (ended.failure() == null) {
                failed.remove(branch.name());
                Decision decision = SagaTransitions.decide(run.definition, run.saga, new Event.BranchSucceeded(branch.name(), ended.output()));
                run.saga = decision.next();
                groupDone = decision instanceof Decision.Continue ? null : decision;
                continue;
            }
            StepFailure f = ended.failure();
            RetryPolicy policy = SagaTransitions.policy(branch, direction);
            run.saga = SagaTransitions.decide(run.definition, run.saga, new Event.BranchAttemptFailed(branch.name(), f)).next();
            if (!forward) {
                crashPoints.reached(CrashPoints.Point.BETWEEN_COMPENSATION_ATTEMPTS);
            }
            if (policy.isRetryable(f) && quickLeft.get(branch.name()) > 0) {
                retries.add(new Retry(System.nanoTime() + scaled(policy.inProcessDelay()).toNanos(), branch));
            } else {
                failed.put(branch.name(), f);
                gaveUp |= !policy.isRetryable(f) || used.get(branch.name()) >= policy.attempts();
            }
        }
        Decision decision;
        if (groupDone != null) {
            decision = groupDone; // the last branch succeeded and the core moved the saga on: it ended
        } else if (!gaveUp && stoppedBy != null) {
            decision = SagaTransitions.decide(run.definition, run.saga, stoppedBy);
            if (stoppedBy instanceof Event.DeadlinePassed) {
                events.deadlinePassed(run.saga.definitionName());
            }
        } else if (run.definition.groupAt(run.saga.stepIndex()) != group || run.saga.status() != going) {
            return; // every branch succeeded: the saga stands on the step after the group (going back, before it)
        } else {
            decision = SagaTransitions.decide(run.definition, run.saga, new Event.GroupSettled(failed,
                    used.entrySet().stream().filter(e -> failed.containsKey(e.getKey()))
                            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                    ThreadLocalRandom.current().nextDouble()));
        }
        if (decision.next().status() != going || decision instanceof Decision.Park) {
            LOG.infof("Saga %s: %s; %s", run.saga.id(), decision.next().lastError(),
                    decision instanceof Decision.Park park ? "next attempt in " + scaled(park.wakeIn()).toMillis() + " ms"
                            : decision.next().status());
        }
        carryOut(run, decision);
    }

    /**
     * The attempts each branch of the group has used of its budget: those numbered after the budget's base. A group's
     * branches share the saga's attempt numbers (each new intent takes the next), so that one fresh budget, granted by an
     * operator, covers them all.
     */
    private Map<String, Integer> attemptsUsed(Run run, Group group, Direction direction) {
        Map<String, Integer> used = new HashMap<>();
        int base = run.saga.budgetBase();
        for (AttemptRecord a : log.inNewTransaction((l, c) -> l.attempts(run.saga.id()))) {
            if (a.direction() == direction && a.attempt() > base && group.contains(run.definition.indexOf(a.stepName()))) {
                used.merge(a.stepName(), 1, Integer::sum);
            }
        }
        return used;
    }

    /**
     * Commits the intents of the branches that start together, in one commit that begins their attempts (a pause refuses
     * it, and nothing starts).
     *
     * @throws RejectedFailure when the first branch cannot describe its request (nothing is committed)
     */
    private List<BranchAttempt> beginBranches(Run run, List<StepDefinition> starting, Instant now, Direction direction) {
        List<BranchAttempt> begun = new ArrayList<>();
        int attempt = run.saga.attempt();
        for (StepDefinition branch : starting) {
            AttemptRecord intent;
            try {
                intent = intent(run.saga.withAttempt(attempt + 1), branch, direction, attempt + 1, now);
            } catch (RejectedFailure f) {
                if (begun.isEmpty()) {
                    throw f;
                }
                break; // the others start; the caller meets this one again, first, once they have
            }
            attempt++;
            begun.add(new BranchAttempt(branch, intent, context(run.saga, branch, direction, attempt)));
        }
        int last = attempt;
        crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
        commit(run, true, (l, c) -> {
            for (BranchAttempt b : begun) {
                l.insertAttempt(run.saga.id(), b.intent());
            }
            return new Transition(run.saga.withAttempt(last), instance.id(), config.lease());
        });
        return begun;
    }

    /** One branch's call, on a branch thread: what it answered, as the run's thread records it. */
    private BranchCall callBranch(Run run, BranchAttempt started, Direction direction) {
        StepDefinition step = started.step();
        crashPoints.reached(CrashPoints.Point.AFTER_INTENT, run.saga.id(), step.name());
        Span span = tracing.startAttempt(run.span, run.traced, step.name(), direction, started.intent().attempt());
        long t0 = System.nanoTime();
        try (Scope ignored = span.makeCurrent()) {
            JsonNode output = remoteCalls.call(actions.remote(step, direction), step.timeout(), started.context());
            crashPoints.reached(CrashPoints.Point.AFTER_REMOTE_SUCCESS);
            SagaTracing.endAttempt(span, Outcome.SUCCEEDED, null);
            return new BranchCall(started, started.intent().finished(Outcome.SUCCEEDED, Instant.now(), null, null, output),
                    output, null, System.nanoTime() - t0);
        } catch (StepFailure f) {
            SagaTracing.endAttempt(span, outcomeOf(f), kind(f));
            return new BranchCall(started, started.intent().finished(outcomeOf(f), Instant.now(), kind(f), f.getMessage(), null),
                    null, f, System.nanoTime() - t0);
        }
    }

    /**
     * The next branch call that ended; null when a quick retry became due first. A call that ended by anything but a
     * step's failure (a test's kill of the run) stops the run, with nothing more committed, as a crash would.
     */
    private static BranchCall nextEnded(CompletionService<BranchCall> calls, int inFlight, PriorityQueue<Retry> retries) {
        try {
            Future<BranchCall> done;
            if (retries.isEmpty()) {
                done = calls.take();
            } else {
                long wait = Math.max(0, retries.peek().at() - System.nanoTime());
                done = inFlight == 0 ? null : calls.poll(wait, TimeUnit.NANOSECONDS);
                if (inFlight == 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            return done == null ? null : done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the branches of a group were in flight", e);
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        }
    }

    /** A branch's intent, committed, with what its call reads. */
    private record BranchAttempt(StepDefinition step, AttemptRecord intent, StepContext context) {
    }

    /** How a branch's attempt ended: its record as the log keeps it, and its output or its failure. */
    private record BranchCall(BranchAttempt attempt, AttemptRecord record, JsonNode output, StepFailure failure, long nanos) {
        Outcome outcome() {
            return record.outcome();
        }
    }

    /** A branch whose quick retry is due at {@code at} (a {@link System#nanoTime()}). */
    private record Retry(long at, StepDefinition branch) {
    }


    /**
     * Where a forward attempt is about to begin (none is in flight, and no intent is committed without its call): a saga
     * past its deadline goes no further.
     *
     * @return the instant checked, which the attempt records as its start: no attempt is logged as begun after the deadline
     * @throws DeadlineReached when it is past its deadline
     */
    private Instant beforeForwardAttempt(Run run) {
        Instant now = Instant.now();
        if (run.preparedIntent == null && SagaTransitions.deadlinePassed(run.saga, now)) {
            throw DeadlineReached.INSTANCE;
        }
        return now;
    }

    /** Stops a run's quick retries where the next attempt would begin past the saga's deadline; not a step's failure. */
    private static final class DeadlineReached extends RuntimeException {
        static final DeadlineReached INSTANCE = new DeadlineReached();

        private DeadlineReached() {
            super("the saga's deadline has passed", null, false, false);
        }
    }

    /**
     * A decision to go on waits for the next commit; any other commits now, with what the run held back, through the
     * log's interpreter of decisions.
     */
    private void carryOut(Run run, Decision decision) {
        if (decision instanceof Decision.Continue next) {
            run.saga = next.next();
            return;
        }
        Duration wakeIn = decision instanceof Decision.Park park
                ? SagaTransitions.wakeNoLaterThanDeadline(park.next(), scaled(park.wakeIn()), Instant.now())
                // a wait is not scaled: its timeout is the definition's, and the saga deadline still bounds it
                : decision instanceof Decision.Wait wait
                ? SagaTransitions.wakeNoLaterThanDeadline(wait.next(), wait.wakeIn(), Instant.now()) : null;
        commit(run, (l, c) -> new Transition(decision.next().withVersion(l.carryOut(decision, wakeIn)), null, wakeIn));
        run.parked = decision instanceof Decision.Park || decision instanceof Decision.Wait;
    }

    private StepRun remote(Run run, StepDefinition step, Direction direction) {
        RetryPolicy policy = SagaTransitions.policy(run.definition, run.saga);
        RemoteAction action = actions.remote(step, direction);
        int used = run.preparedIntent != null ? run.saga.attemptsUsed() - 1 : run.saga.attemptsUsed();
        return withQuickRetries(run, policy, used, () -> remoteAttempt(run, step, direction, action));
    }

    private JsonNode remoteAttempt(Run run, StepDefinition step, Direction direction, RemoteAction action) {
        AttemptRecord intent = run.preparedIntent;
        run.preparedIntent = null;
        if (intent == null) {
            Instant startedAt = beforeForwardAttempt(run);
            int attempt = run.saga.attempt() + 1;
            AttemptRecord fresh = intent(run.saga.withAttempt(attempt), step, direction, attempt, startedAt);
            crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
            // the attempt counts from this commit on; a pause refuses it, and run.saga stays as it was
            commit(run, true, (l, c) -> {
                l.insertAttempt(run.saga.id(), fresh);
                return new Transition(run.saga.withAttempt(attempt), instance.id(), config.lease());
            });
            intent = fresh;
        }
        crashPoints.reached(CrashPoints.Point.AFTER_INTENT, run.saga.id(), step.name());
        AttemptRecord started = intent;
        // current while the call runs, so that the third party's client sends it as the traceparent
        Span span = tracing.startAttempt(run.span, run.traced, step.name(), direction, started.attempt());
        Outcome traced = Outcome.UNKNOWN;
        String failureKind = null;
        long t0 = System.nanoTime();
        try (Scope ignored = span.makeCurrent()) {
            JsonNode output = remoteCalls.call(action, step.timeout(), context(run.saga, step, direction, started.attempt()));
            traced = Outcome.SUCCEEDED;
            crashPoints.reached(CrashPoints.Point.AFTER_REMOTE_SUCCESS);
            run.heldBack.outcome(started.finished(Outcome.SUCCEEDED, Instant.now(), null, null, output));
            events.attempt(run.saga, step.name(), direction, Outcome.SUCCEEDED, System.nanoTime() - t0);
            return output;
        } catch (StepFailure f) {
            Outcome outcome = outcomeOf(f);
            traced = outcome;
            failureKind = kind(f);
            run.heldBack.outcome(started.finished(outcome, Instant.now(), kind(f), f.getMessage(), null));
            run.saga = SagaTransitions.decide(run.definition, run.saga, new Event.AttemptFailed(f)).next();
            events.attempt(run.saga, step.name(), direction, outcome, System.nanoTime() - t0);
            if (direction == Direction.COMPENSATION) {
                crashPoints.reached(CrashPoints.Point.BETWEEN_COMPENSATION_ATTEMPTS);
            }
            throw f;
        } finally {
            SagaTracing.endAttempt(span, traced, failureKind);
        }
    }

    private StepRun local(Run run, StepDefinition step, Direction direction) {
        LocalAction action = actions.local(step, direction);
        return withQuickRetries(run, SagaTransitions.policy(run.definition, run.saga), run.saga.attemptsUsed(),
                () -> localAttempt(run, step, direction, action));
    }

    /**
     * One attempt of a local step: its effect, its log row and the saga's next state commit
     * together. When it fails, nothing of it stays; its failure is logged with the next commit.
     */
    private JsonNode localAttempt(Run run, StepDefinition step, Direction direction, LocalAction action) {
        Instant startedAt = beforeForwardAttempt(run);
        int attempt = run.saga.attempt() + 1;
        StepContext context = context(run.saga, step, direction, attempt);
        long t0 = System.nanoTime();
        Span span = tracing.startAttempt(run.span, run.traced, step.name(), direction, attempt);
        Outcome traced = Outcome.UNKNOWN;
        String failureKind = null;
        JsonNode committedOutput;
        try (Scope ignored = span.makeCurrent()) {
            Transition committed = commit(run, true, (l, c) -> {
                JsonNode output = action.execute(context, c);
                crashPoints.reached(CrashPoints.Point.INSIDE_LOCAL_STEP);
                l.insertAttempt(run.saga.id(), new AttemptRecord(step.name(), direction, attempt, Outcome.SUCCEEDED, instance.id(),
                        startedAt, Instant.now(), null, null, null, output));
                Transition next = afterLocalSuccess(run, direction, attempt, output);
                AttemptRecord intent = intentRidingAlong(run.definition, next.next(), direction, l);
                return intent == null ? next.with(output, null)
                        : new Transition(next.next().withAttempt(1), next.owner(), next.wakeIn(), output, intent);
            });
            run.preparedIntent = committed.intent();
            traced = Outcome.SUCCEEDED;
            events.attempt(run.saga, step.name(), direction, Outcome.SUCCEEDED, System.nanoTime() - t0);
            committedOutput = committed.output();
        } catch (RuntimeException e) {
            StepFailure f = LocalFailures.classify(e);
            Outcome outcome = outcomeOf(f);
            traced = outcome;
            failureKind = kind(f);
            run.heldBack.failedLocalAttempt(new AttemptRecord(step.name(), direction, attempt, outcome, instance.id(), startedAt,
                    Instant.now(), kind(f), f.getMessage(), null, null));
            run.saga = SagaTransitions.decide(run.definition, run.saga.withAttempt(attempt), new Event.AttemptFailed(f)).next();
            events.attempt(run.saga, step.name(), direction, outcome, System.nanoTime() - t0);
            throw f;
        } finally {
            SagaTracing.endAttempt(span, traced, failureKind);
        }
        // outside the step's failure handling: a kill here is no failure of the step, whose commit stands
        crashPoints.localStepCommitted(run.saga.id(), step.name());
        return committedOutput;
    }

    /**
     * When a remote call follows a local step (an outbox call after its local transaction), its
     * intent commits with the local step: one commit fewer, and the call is owed from that commit on.
     */
    private AttemptRecord intentRidingAlong(SagaDefinition definition, SagaSnapshot next, Direction direction, SagaLog l) {
        if (direction != Direction.FORWARD || next.status() != SagaStatus.RUNNING || next.stepIndex() >= definition.stepCount()) {
            return null;
        }
        StepDefinition following = definition.step(next.stepIndex());
        Instant now = Instant.now();
        // a step with a condition begins in its own run, which tells the condition first (StepReached)
        if (!following.kind().callsThirdParty() || following.when() != null || definition.groupAt(next.stepIndex()) != null
                || SagaTransitions.deadlinePassed(next, now)) {
            // past the deadline, the run's next step finds it and compensates instead of calling
            return null;
        }
        AttemptRecord intent = intent(next.withAttempt(1), following, Direction.FORWARD, 1, now);
        crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
        l.insertAttempt(next.id(), intent);
        return intent;
    }

    private Transition afterLocalSuccess(Run run, Direction direction, int attempt, JsonNode output) {
        SagaSnapshot s = run.saga.withAttempt(attempt);
        if (direction == Direction.COMPENSATION) {
            // the move to the next compensation (or the end) rides with the next commit; keep the lease until then
            return new Transition(SagaTransitions.compensated(run.definition, s), instance.id(), config.lease());
        }
        Decision decision = SagaTransitions.decide(run.definition, s, new Event.StepSucceeded(output));
        return decision instanceof Decision.End ? new Transition(decision.next(), null, null)
                : new Transition(decision.next(), instance.id(), config.lease());
    }

    /**
     * Runs the quick in-process retries of one run (Guava Retrying, fixed wait); what follows a
     * failure once they are spent is the transition core's to decide.
     */
    private StepRun withQuickRetries(Run run, RetryPolicy policy, int used, Callable<JsonNode> attempt) {
        int quick = policy.inProcessAttemptsLeft(used);
        if (quick == 0) {
            return new StepRun.Failed(SagaTransitions.budgetSpent(policy, run.saga));
        }
        Retryer<JsonNode> retryer = retryers.computeIfAbsent(new QuickRetries(policy, quick), q -> RetryerBuilder.<JsonNode>newBuilder()
                .retryIfException(t -> t instanceof StepFailure f && policy.isRetryable(f))
                .withWaitStrategy(WaitStrategies.fixedWait(scaled(policy.inProcessDelay()).toMillis(), TimeUnit.MILLISECONDS))
                .withStopStrategy(StopStrategies.stopAfterAttempt(quick))
                .build());
        try {
            return new StepRun.Succeeded(retryer.call(attempt));
        } catch (RetryException e) {
            return new StepRun.Failed((StepFailure) e.getLastFailedAttempt().getExceptionCause());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StepFailure f) {
                return new StepRun.Failed(f);
            }
            throw unchecked(e.getCause());
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error error) {
            throw error;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /** A Retryer holds no state of a call: one per policy and number of attempts serves every run. */
    private record QuickRetries(RetryPolicy policy, int attempts) {
    }

    /**
     * One transaction: the writes held back so far, the caller's writes, and the fenced update of the saga; tried again
     * while the database is out of reach. Trying again is safe: the fence refuses a commit whose earlier try did land
     * (its connection broke after the commit), as it refuses one after another instance took the saga.
     *
     * @param beginsAttempt the commit begins an attempt, which an operator's pause refuses ({@link SagaPausedException},
     *                      nothing written); commits that end, escalate or park the saga go through
     */
    /** @return what {@code work} decided, with the saga as committed */
    private Transition commit(Run run, boolean beginsAttempt, SagaLog.Work<Transition> work) {
        return commit(run, (l, c) -> {
            Transition t = work.apply(l, c);
            // a step's own deadline counts from the commit that stores the move onto it
            SagaSnapshot next = SagaTransitions.reachedStep(run.definition, t.next(), Instant.now());
            long version = beginsAttempt ? l.beginAttempt(next, t.owner(), t.wakeIn()) : l.update(next, t.owner(), t.wakeIn());
            return t.stored(next.withVersion(version));
        });
    }

    /**
     * One transaction: the writes held back so far, then {@code work}, which ends with the fenced write of the saga and
     * answers the saga as stored.
     */
    private Transition commit(Run run, SagaLog.Work<Transition> work) {
        Transition stored;
        try {
            stored = commits.call(() -> log.inNewTransaction((l, c) -> {
                l.writeHeldBack(run.saga.id(), run.heldBack);
                return work.apply(l, c);
            }));
        } catch (RetryException e) {
            throw unchecked(e.getLastFailedAttempt().getExceptionCause());
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        }
        run.heldBack.clear();
        run.saga = stored.next();
        return stored;
    }

    /**
     * The saga's next state, its owner and wake-up; for a local step, also its output and the intent of the remote call
     * that committed with it.
     */
    private record Transition(SagaSnapshot next, String owner, Duration wakeIn, JsonNode output, AttemptRecord intent) {

        Transition(SagaSnapshot next, String owner, Duration wakeIn) {
            this(next, owner, wakeIn, null, null);
        }

        Transition with(JsonNode output, AttemptRecord intent) {
            return new Transition(next, owner, wakeIn, output, intent);
        }

        Transition stored(SagaSnapshot stored) {
            return new Transition(stored, owner, wakeIn, output, intent);
        }
    }

    /**
     * @throws RejectedFailure when the action cannot describe its request from the saga's input (e.g. an application
     *         dispatched it with SQL, which cannot check what the actions need): it never could, so asking again is useless
     */
    private AttemptRecord intent(SagaSnapshot saga, StepDefinition step, Direction direction, int attempt, Instant startedAt) {
        JsonNode request;
        try {
            request = describeRequest(saga, step, direction, attempt);
        } catch (StepFailure f) {
            throw f;
        } catch (RuntimeException e) {
            throw new RejectedFailure(step.name() + " cannot use the saga's input: " + e.getMessage(), e);
        }
        return new AttemptRecord(step.name(), direction, attempt, Outcome.PENDING, instance.id(), startedAt, null, null, null,
                request, null);
    }

    /**
     * What the attempt's intent records of the request the step's remote action would send, secrets left out (see
     * {@link RemoteAction#describeRequest}); the compensation plan shows it before anyone confirms.
     */
    public JsonNode describeRequest(SagaSnapshot saga, StepDefinition step, Direction direction, int attempt) {
        return actions.remote(step, direction).describeRequest(context(saga, step, direction, attempt));
    }

    private static StepContext context(SagaSnapshot saga, StepDefinition step, Direction direction, int attempt) {
        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        saga.stepStates().forEach((name, state) -> {
            if (state.effect() == Effect.DONE && state.output() != null) {
                outputs.put(name, state.output());
            }
        });
        StepState own = saga.stepState(step.name());
        boolean inDoubt = own != null && own.effect() == Effect.UNCERTAIN;
        JsonNode forwardOutput = direction == Direction.FORWARD || own == null ? null
                // a check whose forward answer was never learned reads what the compensation learned in its place
                : direction == Direction.VERIFY && own.output() == null ? own.undo() : own.output();
        return new StepContext(saga.id(), step.name(), attempt, saga.input(), outputs, forwardOutput, inDoubt,
                step.onUncertainOwnership(), item(saga, step, outputs));
    }

    /**
     * The item a branch of a forEach runs, read again from what the saga recorded (its input, its steps' outputs), so
     * that its undo, a recovery or an operator's plan finds the one its forward attempt sent; null for any other step.
     */
    private static StepContext.Item item(SagaSnapshot saga, StepDefinition step, Map<String, JsonNode> outputs) {
        if (step.item() == null) {
            return null;
        }
        List<JsonNode> items = step.item().forEach().itemsOf(saga.input(), outputs);
        int index = step.item().index();
        if (index >= items.size()) {
            // the core records such a branch skipped and never runs it
            throw new IllegalStateException(step.name() + " runs item " + index + " of a list of " + items.size());
        }
        return new StepContext.Item(index, items.get(index));
    }

    private static Outcome outcomeOf(StepFailure f) {
        if (f instanceof UnknownOutcomeFailure) {
            return Outcome.UNKNOWN;
        }
        return f instanceof UnavailableFailure ? Outcome.FAILED : Outcome.REJECTED;
    }

    private static String kind(StepFailure f) {
        return f.getClass().getSimpleName();
    }

    private Duration scaled(Duration d) {
        return Duration.ofMillis(Math.round(d.toMillis() * config.delayFactor()));
    }

    /** One execution of a saga by this instance, on one thread; the saga is as last committed plus what is held back. */
    private static final class Run {
        final SagaDefinition definition;
        SagaSnapshot saga;
        /** What this run learned since its last commit, written with its next one. */
        final HeldBack heldBack = new HeldBack();
        /** An intent committed together with the saga, whose call has not been made yet. */
        AttemptRecord preparedIntent;
        /** The value of the definition's key for a saga this run starts; null when it has none, or it was started earlier. */
        String liveKey;
        boolean parked;
        /** The attributes of every span of the saga, and this run's span (the saga's root span in its first run). */
        final Attributes traced;
        final Span span;

        Run(SagaDefinition definition, SagaSnapshot saga, Attributes traced, Span span) {
            this.definition = definition;
            this.saga = saga;
            this.traced = traced;
            this.span = span;
        }
    }
}
