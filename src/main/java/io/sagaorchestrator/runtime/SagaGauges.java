package io.sagaorchestrator.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.store.SagaCounts;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gauges of the whole saga log, for dashboards and alerts: sagas running, compensating, retrying,
 * paused, escalated, waiting for their key and stuck (live but not advanced for {@code saga.stuck-after}), counted
 * by the store every {@code saga.metrics.refresh}; and sagas in flight on this instance.
 */
@ApplicationScoped
public class SagaGauges {

    private static final Logger LOG = Logger.getLogger(SagaGauges.class);

    private final SagaCounts counts;
    private final MeterRegistry metrics;
    private final SagaRunner runner;
    private final Duration stuckAfter;
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong compensating = new AtomicLong();
    private final AtomicLong escalated = new AtomicLong();
    private final AtomicLong retrying = new AtomicLong();
    private final AtomicLong stuck = new AtomicLong();
    private final AtomicLong paused = new AtomicLong();
    private final AtomicLong waitingForKey = new AtomicLong();
    private final AtomicLong waitingForSignal = new AtomicLong();

    SagaGauges(SagaCounts counts, MeterRegistry metrics, SagaRunner runner,
               @ConfigProperty(name = "saga.stuck-after", defaultValue = "5m") Duration stuckAfter) {
        this.counts = counts;
        this.metrics = metrics;
        this.runner = runner;
        this.stuckAfter = stuckAfter;
    }

    @PostConstruct
    void register() {
        Gauge.builder("saga.in.flight", runner, SagaRunner::inFlight).description("sagas this instance is advancing").register(metrics);
        gauge("saga.live", running, "status", "RUNNING");
        gauge("saga.live", compensating, "status", "COMPENSATING");
        gauge("saga.escalated.current", escalated, null, null);
        gauge("saga.retrying", retrying, null, null);
        gauge("saga.stuck", stuck, null, null);
        gauge("saga.paused", paused, null, null);
        gauge("saga.waiting.for.key", waitingForKey, null, null);
        gauge("saga.waiting.for.signal", waitingForSignal, null, null);
    }

    private void gauge(String name, AtomicLong value, String tag, String tagValue) {
        Gauge.Builder<AtomicLong> b = Gauge.builder(name, value, AtomicLong::get);
        if (tag != null) {
            b.tag(tag, tagValue);
        }
        b.register(metrics);
    }

    @Scheduled(every = "${saga.metrics.refresh:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            SagaCounts.Counts now = counts.count(stuckAfter);
            running.set(now.running());
            compensating.set(now.compensating());
            escalated.set(now.escalated());
            retrying.set(now.retrying());
            stuck.set(now.stuck());
            paused.set(now.paused());
            waitingForKey.set(now.waitingForKey());
            waitingForSignal.set(now.waitingForSignal());
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Saga gauges not refreshed: %s", e.getMessage());
        }
    }
}
