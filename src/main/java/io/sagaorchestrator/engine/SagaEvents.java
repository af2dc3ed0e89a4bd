package io.sagaorchestrator.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sagaorchestrator.sagalog.Direction;
import io.sagaorchestrator.sagalog.Outcome;
import io.sagaorchestrator.sagalog.SagaSnapshot;
import io.sagaorchestrator.sagalog.SagaStatus;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;

/** What the engine tells the outside: metrics for every saga and attempt, and an alert for every escalation. */
@ApplicationScoped
public class SagaEvents {

    private final MeterRegistry metrics;
    private final EscalationAlerts alerts;

    SagaEvents(MeterRegistry metrics, EscalationAlerts alerts) {
        this.metrics = metrics;
        this.alerts = alerts;
    }

    void started(String definition) {
        metrics.counter("saga.started", "definition", definition).increment();
    }

    void attempt(SagaSnapshot saga, String step, Direction direction, Outcome outcome, long nanos) {
        Timer.builder("saga.step.attempt")
                .tags("definition", saga.definitionName(), "step", step, "direction", direction.name(), "outcome", outcome.name())
                .register(metrics)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void ended(SagaSnapshot saga) {
        metrics.counter("saga.ended", "definition", saga.definitionName(), "status", saga.status().name()).increment();
        if (saga.status() == SagaStatus.ESCALATED) {
            alerts.escalated(saga);
        }
    }
}
