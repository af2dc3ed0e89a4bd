package io.sagaorchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.f4b6a3.uuid.UuidCreator;
import com.github.rholder.retry.RetryException;
import com.github.rholder.retry.Retryer;
import com.github.rholder.retry.RetryerBuilder;
import com.github.rholder.retry.StopStrategies;
import com.github.rholder.retry.WaitStrategies;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.sagaorchestrator.actions.LocalAction;
import io.sagaorchestrator.actions.RemoteAction;
import io.sagaorchestrator.actions.StepContext;
import io.sagaorchestrator.actions.StepFailure;
import io.sagaorchestrator.actions.UnavailableFailure;
import io.sagaorchestrator.actions.UnknownOutcomeFailure;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.sagalog.AttemptRecord;
import io.sagaorchestrator.sagalog.Direction;
import io.sagaorchestrator.sagalog.Effect;
import io.sagaorchestrator.sagalog.LeaseLostException;
import io.sagaorchestrator.sagalog.NewSaga;
import io.sagaorchestrator.sagalog.NewSagaWriter;
import io.sagaorchestrator.sagalog.Outcome;
import io.sagaorchestrator.sagalog.SagaLog;
import io.sagaorchestrator.sagalog.SagaSnapshot;
import io.sagaorchestrator.sagalog.SagaStatus;
import io.sagaorchestrator.sagalog.StepState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Advances sagas step by step, writing ahead to the saga log.
 *
 * <p>The log is the truth: before a remote call its intent is committed, and a local step's effect
 * commits together with its log row. Outcomes of remote calls are held in memory and written with
 * the next commit (the next intent, the next local step, or the end), which keeps a successful
 * user-sync saga at two commits: if the process dies before that commit, the intent without an
 * outcome tells the next owner that the call's outcome is unknown, and it reconciles.
 *
 * <p>A run that hits a database failure or finds its lease taken simply stops: whatever it had not
 * committed is re-derived from the log by whoever resumes the saga.
 */
@ApplicationScoped
public class SagaEngine {

    private static final Logger LOG = Logger.getLogger(SagaEngine.class);

    private final DefinitionRegistry definitions;
    private final ActionRegistry actions;
    private final RemoteCalls remoteCalls;
    private final SagaLog log;
    private final NewSagaWriter newSagas;
    private final EntityManager em;
    private final SagaRunner runner;
    private final SagaCompletions completions;
    private final SagaEvents events;
    private final EngineConfig config;
    private final Instance instance;
    private final CrashPoints crashPoints;
    private final TransactionSynchronizationRegistry transactions;
    private final ThirdPartyUrls thirdPartyUrls;
    private final EscalationAlerts alerts;

    SagaEngine(DefinitionRegistry definitions, ActionRegistry actions, RemoteCalls remoteCalls, SagaLog log, NewSagaWriter newSagas,
               EntityManager em, SagaRunner runner, SagaCompletions completions, SagaEvents events, EngineConfig config, Instance instance,
               CrashPoints crashPoints, TransactionSynchronizationRegistry transactions, EscalationAlerts alerts,
               ThirdPartyUrls thirdPartyUrls) {
        this.definitions = definitions;
        this.actions = actions;
        this.remoteCalls = remoteCalls;
        this.log = log;
        this.newSagas = newSagas;
        this.em = em;
        this.runner = runner;
        this.completions = completions;
        this.events = events;
        this.config = config;
        this.instance = instance;
        this.crashPoints = crashPoints;
        this.transactions = transactions;
        this.alerts = alerts;
        this.thirdPartyUrls = thirdPartyUrls;
    }

    /** What starting a saga gave: the saga, whether this request created it, and a way to wait for its end. */
    public record Started(UUID sagaId, boolean created, CompletableFuture<SagaSnapshot> ended) {
    }

    /**
     * Records a new saga (with the intent of its first step, when that is remote) in one commit,
     * shared with the sagas started at the same moment, then advances it in the background. Once this
     * returns, the saga is in the log and will end, whatever happens to this process. A key the same
     * caller sent before returns the saga it started first; another caller's keys are not seen.
     *
     * @throws IdempotencyKeyReusedException when the key was used before with another input
     * @throws io.sagaorchestrator.sagalog.SagaLogUnavailableException when the saga could not be recorded
     */
    public Started start(SagaDefinition definition, JsonNode input, String businessKey, String caller, String idempotencyKey) {
        Run run = newRun(definition, input, businessKey);
        CompletableFuture<SagaSnapshot> ended = completions.watch(run.saga.id());
        if (run.preparedIntent != null) {
            crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
        }
        boolean created = newSagas.record(new NewSaga(run.saga, caller, idempotencyKey, instance.id(), config.lease(),
                run.preparedIntent));
        if (!created) {
            completions.forget(run.saga.id(), ended);
            return existing(definition, input, caller, idempotencyKey);
        }
        advanceInBackground(run);
        return new Started(run.saga.id(), true, ended);
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
        if (!log.insert(new NewSaga(run.saga, caller, idempotencyKey, instance.id(), config.lease(), run.preparedIntent))) {
            return existing(definition, input, caller, idempotencyKey);
        }
        CompletableFuture<SagaSnapshot> ended = completions.watch(run.saga.id());
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
                }
            }
        });
        return new Started(run.saga.id(), true, ended);
    }

    /**
     * A new saga owned by this instance; when its first step is remote, with the intent of its first attempt.
     *
     * @throws ThirdPartyNotConfiguredException when the saga could only fail, for a third party without URL
     */
    private Run newRun(SagaDefinition definition, JsonNode input, String businessKey) {
        thirdPartyUrls.requireConfigured(definition);
        SagaSnapshot saga = new SagaSnapshot(UuidCreator.getTimeOrderedEpoch(), definition.name(), definition.version(),
                definition.hash(), SagaStatus.RUNNING, businessKey, input, null, 0, 0, 0, Map.of(), 1, null, Instant.now());
        StepDefinition first = definition.step(0);
        Run run = new Run(definition, first.kind().callsThirdParty() ? saga.withAttempt(1) : saga);
        run.preparedIntent = first.kind().callsThirdParty() ? intent(run.saga, first, Direction.FORWARD, 1) : null;
        return run;
    }

    private void advanceInBackground(Run run) {
        events.started(run.definition.name());
        runner.submit(run.saga.id(), () -> advance(run));
    }

    private Started existing(SagaDefinition definition, JsonNode input, String caller, String idempotencyKey) {
        SagaSnapshot saga = QuarkusTransaction.requiringNew().call(() -> log.findByIdempotencyKey(definition.name(), caller, idempotencyKey)
                .flatMap(log::load)).orElseThrow(() -> new IllegalStateException("idempotency key " + idempotencyKey + " vanished"));
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
                SagaSnapshot escalated = claimed.withStatus(SagaStatus.ESCALATED).withLastError("definition " + claimed.definitionName()
                        + " v" + claimed.definitionVersion() + " cannot be run by this release: " + e.getMessage());
                QuarkusTransaction.requiringNew().run(() -> {
                    log.update(escalated, null, null);
                    alerts.owe(log, escalated);
                });
                events.ended(escalated);
                return;
            }
            Run run = new Run(definition, claimed);
            markInterruptedAttempt(run);
            advance(run);
        });
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
        Direction direction = direction(s);
        QuarkusTransaction.requiringNew().call(() -> log.attempts(s.id())).stream()
                .filter(a -> a.outcome() == Outcome.PENDING && a.stepName().equals(step.name()) && a.direction() == direction)
                .forEach(a -> {
                    run.pending.add(l -> l.finishAttempt(s.id(), a.finished(Outcome.UNKNOWN, Instant.now(),
                            "InterruptedAttempt", "the instance making this call stopped before its outcome was recorded", null)));
                    if (direction == Direction.FORWARD) {
                        run.saga = run.saga.withStepState(step.name(), new StepState(Effect.UNCERTAIN, null));
                    }
                });
    }

    private void advance(Run run) {
        MDC.put("sagaId", run.saga.id().toString());
        try {
            while (!run.saga.status().isTerminal() && !run.parked) {
                if (run.saga.status() == SagaStatus.RUNNING) {
                    forward(run);
                } else {
                    compensate(run);
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
        }
    }

    private void forward(Run run) {
        int index = run.saga.stepIndex();
        if (index == run.definition.stepCount()) {
            JsonNode result = run.saga.stepState(run.definition.step(index - 1).name()).output();
            end(run, run.saga.withResult(result).withStatus(SagaStatus.COMPLETED));
            return;
        }
        StepDefinition step = run.definition.step(index);
        StepRun outcome = step.kind().callsThirdParty() ? remote(run, step, Direction.FORWARD) : local(run, step, Direction.FORWARD);
        if (outcome instanceof StepRun.Succeeded ok) {
            if (step.kind().callsThirdParty()) {
                run.saga = run.saga.withStepState(step.name(), new StepState(Effect.DONE, ok.output())).atStep(index + 1);
            } // a local step's transaction has advanced and stored the saga already
        } else if (outcome instanceof StepRun.RetryLater later) {
            park(run, policy(step, Direction.FORWARD), later.failure());
        } else if (outcome instanceof StepRun.GaveUp gaveUp && step.onFailure() == FailurePolicy.ESCALATE) {
            escalate(run, step, gaveUp.failure());
        } else if (outcome instanceof StepRun.GaveUp gaveUp) {
            startCompensation(run, index, gaveUp.failure());
        }
    }

    private void startCompensation(Run run, int failedIndex, StepFailure cause) {
        LOG.infof("Saga %s: step %s failed (%s); compensating", run.saga.id(), run.definition.step(failedIndex).name(), cause.getMessage());
        run.saga = run.saga.withStatus(SagaStatus.COMPENSATING).withLastError(describe(run.definition.step(failedIndex), cause));
        moveToNextCompensation(run, failedIndex);
    }

    /** Positions the saga on the latest step at or before {@code from} whose effect must be undone, or ends it. */
    private void moveToNextCompensation(Run run, int from) {
        OptionalInt next = Compensations.lastToUndo(run.definition, run.saga.stepStates(), from);
        if (next.isPresent()) {
            run.saga = run.saga.atStep(next.getAsInt());
        } else {
            end(run, run.saga.withStatus(SagaStatus.COMPENSATED));
        }
    }

    private void compensate(Run run) {
        int index = run.saga.stepIndex();
        StepDefinition step = run.definition.step(index);
        StepRun outcome = step.kind().callsThirdParty() ? remote(run, step, Direction.COMPENSATION)
                : local(run, step, Direction.COMPENSATION);
        if (outcome instanceof StepRun.Succeeded) {
            // the step keeps its forward output; what the compensation answered is in its attempt
            run.saga = run.saga.withStepState(step.name(), new StepState(Effect.COMPENSATED, run.saga.stepState(step.name()).output()));
            moveToNextCompensation(run, index - 1);
        } else if (outcome instanceof StepRun.RetryLater later) {
            park(run, policy(step, Direction.COMPENSATION), later.failure());
        } else if (outcome instanceof StepRun.GaveUp gaveUp) {
            escalate(run, step, gaveUp.failure());
        }
    }

    private StepRun remote(Run run, StepDefinition step, Direction direction) {
        RetryPolicy policy = policy(step, direction);
        RemoteAction action = actions.remote(direction == Direction.FORWARD ? step.action() : step.compensation());
        int used = run.preparedIntent != null ? run.saga.attemptsUsed() - 1 : run.saga.attemptsUsed();
        return withQuickRetries(run, policy, used, () -> remoteAttempt(run, step, direction, action));
    }

    private JsonNode remoteAttempt(Run run, StepDefinition step, Direction direction, RemoteAction action) {
        AttemptRecord intent = run.preparedIntent;
        run.preparedIntent = null;
        if (intent == null) {
            int attempt = run.saga.attempt() + 1;
            run.saga = run.saga.withAttempt(attempt);
            AttemptRecord fresh = intent(run.saga, step, direction, attempt);
            crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
            commit(run, run.saga, instance.id(), config.lease(), l -> l.insertAttempt(run.saga.id(), fresh));
            intent = fresh;
        }
        crashPoints.reached(CrashPoints.Point.AFTER_INTENT);
        AttemptRecord started = intent;
        long t0 = System.nanoTime();
        try {
            JsonNode output = remoteCalls.call(action, step.timeout(), context(run.saga, step, direction, started.attempt()));
            crashPoints.reached(CrashPoints.Point.AFTER_REMOTE_SUCCESS);
            run.pending.add(l -> l.finishAttempt(run.saga.id(), started.finished(Outcome.SUCCEEDED, Instant.now(), null, null, output)));
            events.attempt(run.saga, step.name(), direction, Outcome.SUCCEEDED, System.nanoTime() - t0);
            return output;
        } catch (StepFailure f) {
            Outcome outcome = outcomeOf(f);
            run.pending.add(l -> l.finishAttempt(run.saga.id(), started.finished(outcome, Instant.now(), kind(f), f.getMessage(), null)));
            if (f.mayHaveTakenEffect() && direction == Direction.FORWARD) {
                run.saga = run.saga.withStepState(step.name(), new StepState(Effect.UNCERTAIN, null));
            }
            run.saga = run.saga.withLastError(describe(step, f));
            events.attempt(run.saga, step.name(), direction, outcome, System.nanoTime() - t0);
            if (direction == Direction.COMPENSATION) {
                crashPoints.reached(CrashPoints.Point.BETWEEN_COMPENSATION_ATTEMPTS);
            }
            throw f;
        }
    }

    private StepRun local(Run run, StepDefinition step, Direction direction) {
        LocalAction action = actions.local(direction == Direction.FORWARD ? step.action() : step.compensation());
        return withQuickRetries(run, policy(step, direction), run.saga.attemptsUsed(), () -> localAttempt(run, step, direction, action));
    }

    /**
     * One attempt of a local step: its effect, its log row and the saga's next state commit
     * together. When it fails, nothing of it stays; its failure is logged with the next commit.
     */
    private JsonNode localAttempt(Run run, StepDefinition step, Direction direction, LocalAction action) {
        int attempt = run.saga.attempt() + 1;
        StepContext context = context(run.saga, step, direction, attempt);
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        JsonNode[] output = new JsonNode[1];
        AttemptRecord[] nextIntent = new AttemptRecord[1];
        try {
            commit(run, l -> {
                output[0] = action.execute(context);
                em.flush();
                crashPoints.reached(CrashPoints.Point.INSIDE_LOCAL_STEP);
                l.insertAttempt(run.saga.id(), new AttemptRecord(step.name(), direction, attempt, Outcome.SUCCEEDED, instance.id(),
                        startedAt, Instant.now(), null, null, null, output[0]));
                Transition next = afterLocalSuccess(run, step, direction, attempt, output[0]);
                nextIntent[0] = intentRidingAlong(run.definition, next.next(), direction, l);
                return nextIntent[0] == null ? next : new Transition(next.next().withAttempt(1), next.owner(), next.wakeIn());
            });
            run.preparedIntent = nextIntent[0];
            events.attempt(run.saga, step.name(), direction, Outcome.SUCCEEDED, System.nanoTime() - t0);
            return output[0];
        } catch (RuntimeException e) {
            StepFailure f = LocalFailures.classify(e);
            Outcome outcome = outcomeOf(f);
            run.pending.add(l -> l.insertAttempt(run.saga.id(), new AttemptRecord(step.name(), direction, attempt, outcome,
                    instance.id(), startedAt, Instant.now(), kind(f), f.getMessage(), null, null)));
            run.saga = run.saga.withAttempt(attempt).withLastError(describe(step, f));
            events.attempt(run.saga, step.name(), direction, outcome, System.nanoTime() - t0);
            throw f;
        }
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
        if (!following.kind().callsThirdParty()) {
            return null;
        }
        AttemptRecord intent = intent(next.withAttempt(1), following, Direction.FORWARD, 1);
        crashPoints.reached(CrashPoints.Point.BEFORE_INTENT);
        l.insertAttempt(next.id(), intent);
        return intent;
    }

    private Transition afterLocalSuccess(Run run, StepDefinition step, Direction direction, int attempt, JsonNode output) {
        SagaSnapshot s = run.saga.withAttempt(attempt);
        if (direction == Direction.COMPENSATION) {
            // the next compensation (or the end) is decided by the caller; keep the lease until then
            return new Transition(s.withStepState(step.name(), new StepState(Effect.COMPENSATED, s.stepState(step.name()).output())),
                    instance.id(), config.lease());
        }
        int next = s.stepIndex() + 1;
        s = s.withStepState(step.name(), new StepState(Effect.DONE, output)).atStep(next);
        if (next == run.definition.stepCount()) {
            return new Transition(s.withResult(output).withStatus(SagaStatus.COMPLETED).withLastError(null), null, null);
        }
        return new Transition(s, instance.id(), config.lease());
    }

    /**
     * Runs the quick in-process retries of one run (Guava Retrying, fixed wait), and decides what
     * follows when they are spent: a scheduled retry while the budget lasts, else giving up.
     */
    private StepRun withQuickRetries(Run run, RetryPolicy policy, int used, Callable<JsonNode> attempt) {
        int quick = policy.inProcessAttemptsLeft(used);
        if (quick == 0) {
            return new StepRun.GaveUp(new UnknownOutcomeFailure("the attempt budget of " + policy.attempts()
                    + " is spent; last error: " + run.saga.lastError(), null));
        }
        Retryer<JsonNode> retryer = RetryerBuilder.<JsonNode>newBuilder()
                .retryIfException(t -> t instanceof StepFailure f && policy.isRetryable(f))
                .withWaitStrategy(WaitStrategies.fixedWait(scaled(policy.inProcessDelay()).toMillis(), TimeUnit.MILLISECONDS))
                .withStopStrategy(StopStrategies.stopAfterAttempt(quick))
                .build();
        try {
            return new StepRun.Succeeded(retryer.call(attempt));
        } catch (RetryException e) {
            StepFailure last = (StepFailure) e.getLastFailedAttempt().getExceptionCause();
            return run.saga.attemptsUsed() < policy.attempts() ? new StepRun.RetryLater(last) : new StepRun.GaveUp(last);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StepFailure f) {
                return new StepRun.GaveUp(f);
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private void park(Run run, RetryPolicy policy, StepFailure failure) {
        Duration delay = scaled(policy.backoffAfter(run.saga.attemptsUsed(), ThreadLocalRandom.current().nextDouble()));
        LOG.infof("Saga %s: %s; next attempt in %d ms", run.saga.id(), failure.getMessage(), delay.toMillis());
        commit(run, run.saga, null, delay, null);
        run.parked = true;
    }

    /** Ends the saga ESCALATED; the webhook's alert commits with it, so a crash cannot lose it. */
    private void escalate(Run run, StepDefinition step, StepFailure failure) {
        SagaSnapshot escalated = run.saga.withStatus(SagaStatus.ESCALATED).withLastError(describe(step, failure));
        commit(run, escalated, null, null, l -> alerts.owe(l, escalated));
    }

    private void end(Run run, SagaSnapshot last) {
        commit(run, last, null, null, null);
    }

    private void commit(Run run, SagaSnapshot next, String owner, Duration wakeIn, Consumer<SagaLog> also) {
        commit(run, l -> {
            if (also != null) {
                also.accept(l);
            }
            return new Transition(next, owner, wakeIn);
        });
    }

    /** One transaction: the writes held back so far, the caller's writes, and the fenced update of the saga. */
    private void commit(Run run, Function<SagaLog, Transition> work) {
        SagaSnapshot stored = QuarkusTransaction.requiringNew().call(() -> {
            run.pending.forEach(w -> w.accept(log));
            Transition t = work.apply(log);
            long version = log.update(t.next(), t.owner(), t.wakeIn());
            return t.next().withVersion(version);
        });
        run.pending.clear();
        run.saga = stored;
    }

    private record Transition(SagaSnapshot next, String owner, Duration wakeIn) {
    }

    private AttemptRecord intent(SagaSnapshot saga, StepDefinition step, Direction direction, int attempt) {
        RemoteAction action = actions.remote(direction == Direction.FORWARD ? step.action() : step.compensation());
        JsonNode request = action.describeRequest(context(saga, step, direction, attempt));
        return new AttemptRecord(step.name(), direction, attempt, Outcome.PENDING, instance.id(), Instant.now(), null, null, null,
                request, null);
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
        JsonNode forwardOutput = direction == Direction.COMPENSATION && own != null ? own.output() : null;
        return new StepContext(saga.id(), step.name(), attempt, saga.input(), outputs, forwardOutput, inDoubt);
    }

    private static RetryPolicy policy(StepDefinition step, Direction direction) {
        return direction == Direction.FORWARD ? step.retry() : step.compensationRetry();
    }

    private static Direction direction(SagaSnapshot s) {
        return s.status() == SagaStatus.COMPENSATING ? Direction.COMPENSATION : Direction.FORWARD;
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

    private static String describe(StepDefinition step, StepFailure f) {
        return step.name() + ": " + kind(f) + ": " + f.getMessage();
    }

    private Duration scaled(Duration d) {
        return Duration.ofMillis(Math.round(d.toMillis() * config.delayFactor()));
    }

    /** One execution of a saga by this instance, on one thread; the saga is as last committed plus what is held back. */
    private static final class Run {
        final SagaDefinition definition;
        SagaSnapshot saga;
        final List<Consumer<SagaLog>> pending = new ArrayList<>();
        /** An intent committed together with the saga, whose call has not been made yet. */
        AttemptRecord preparedIntent;
        boolean parked;

        Run(SagaDefinition definition, SagaSnapshot saga) {
            this.definition = definition;
            this.saga = saga;
        }
    }
}
