package io.sagaorchestrator.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** What the engine tells the outside: metrics for every saga and attempt, and an alert for every escalation. */
@ApplicationScoped
public class SagaEvents {

    private final MeterRegistry metrics;
    private final EscalationAlerts alerts;
    /** The registry builds and sorts a meter's id on every look-up; a saga's few meters are looked up once. */
    private final Map<String, Counter> startedBy = new ConcurrentHashMap<>();
    private final Map<AttemptKind, Timer> attempts = new ConcurrentHashMap<>();
    private final Map<EndKind, Counter> endedBy = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadlinePassedBy = new ConcurrentHashMap<>();

    SagaEvents(MeterRegistry metrics, EscalationAlerts alerts) {
        this.metrics = metrics;
        this.alerts = alerts;
    }

    /**
     * Every loaded definition's escalation and deadline counters, at 0 from the start: an alert on
     * {@code increase(saga_escalated_total[10m])} cannot see a series that only appears with its first increment, so
     * the first escalation after a start would never fire it.
     */
    void registerAtZero(@Observes StartupEvent start, DefinitionRegistry definitions) {
        for (SagaDefinition d : definitions.all()) {
            EscalationAlerts.escalatedCounter(metrics, d.name());
            deadlinePassedBy.computeIfAbsent(d.name(), this::deadlinePassedCounter);
        }
    }

    void started(String definition) {
        startedBy.computeIfAbsent(definition, d -> metrics.counter("saga.started", "definition", d)).increment();
    }

    void attempt(SagaSnapshot saga, String step, Direction direction, Outcome outcome, long nanos) {
        attempts.computeIfAbsent(new AttemptKind(saga.definitionName(), step, direction, outcome), k -> Timer.builder("saga.step.attempt")
                        .tags("definition", k.definition(), "step", k.step(), "direction", k.direction().name(), "outcome", k.outcome().name())
                        .register(metrics))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void ended(SagaSnapshot saga) {
        endedBy.computeIfAbsent(new EndKind(saga.definitionName(), saga.status()),
                k -> metrics.counter("saga.ended", "definition", k.definition(), "status", k.status().name())).increment();
        if (saga.status() == SagaStatus.ESCALATED) {
            alerts.escalated(saga);
        }
    }

    /** A RUNNING saga was found past its deadline and stopped going forward (counted each time the engine acts on it). */
    void deadlinePassed(String definition) {
        deadlinePassedBy.computeIfAbsent(definition, this::deadlinePassedCounter).increment();
    }

    /** An await took its signal: the saga went on, or (a refusal) compensates. */
    void signalled(String definition, boolean refusal) {
        metrics.counter("saga.signal.taken", "definition", definition, "outcome", refusal ? "refusal" : "accepted").increment();
    }

    /** An await's wait ran out without a signal. */
    void awaitTimedOut(String definition) {
        metrics.counter("saga.signal.timeout", "definition", definition).increment();
    }

    private Counter deadlinePassedCounter(String definition) {
        return metrics.counter("saga.deadline.passed", "definition", definition);
    }

    private record AttemptKind(String definition, String step, Direction direction, Outcome outcome) {
    }

    private record EndKind(String definition, SagaStatus status) {
    }
}
