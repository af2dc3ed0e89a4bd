package io.sagaorchestrator.runtime.recovery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.runtime.EngineConfig;
import io.sagaorchestrator.runtime.Instance;
import io.sagaorchestrator.runtime.SagaEngine;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.core.SagaSnapshot;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Finds the sagas nobody is advancing, from the first seconds after start-up and then every few
 * seconds: those whose owner's lease ran out (it crashed, hung or lost the database) and those
 * whose scheduled retry is due. Any instance may take any of them; the log's fencing makes sure
 * only one advances a saga at a time.
 */
@ApplicationScoped
public class RecoveryLoop {

    private static final Logger LOG = Logger.getLogger(RecoveryLoop.class);

    private final SagaLog log;
    private final SagaEngine engine;
    private final EngineConfig engineConfig;
    private final Instance instance;
    private final MeterRegistry metrics;
    private final int batch;
    /**
     * Starts as "now": a loop that has not scanned yet is not overdue, so the instance is ready as
     * soon as its database is, instead of after the first scan (the datasource check covers the
     * database; an instance whose first scan never comes still turns unready once it is overdue).
     */
    private volatile Instant lastScan = Instant.now();
    private volatile boolean lastScanFailed;
    /** Starts as "now" for the same reason as {@link #lastScan}. */
    private volatile Instant lastSuccessfulScan = Instant.now();

    RecoveryLoop(SagaLog log, SagaEngine engine, EngineConfig engineConfig, Instance instance, MeterRegistry metrics,
                 @ConfigProperty(name = "saga.recovery.batch", defaultValue = "100") int batch) {
        this.log = log;
        this.engine = engine;
        this.engineConfig = engineConfig;
        this.instance = instance;
        this.metrics = metrics;
        this.batch = batch;
    }

    /**
     * Readiness takes a stuck loop's instance out of traffic, but nothing pages anyone: an alert needs a number. The age
     * grows whether the loop stopped running or its scans keep failing; a scrape of an instance just started reads 0.
     */
    @PostConstruct
    void registerScanAge() {
        Gauge.builder("saga.recovery.last.successful.scan.age", this,
                        l -> Duration.between(l.lastSuccessfulScan, Instant.now()).toMillis() / 1000.0)
                .baseUnit("seconds")
                .description("seconds since this instance's recovery loop last read the saga log")
                .register(metrics);
    }

    @Scheduled(every = "${saga.recovery.interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scan() {
        try {
            int claimed = claimAndResume();
            if (claimed > 0) {
                LOG.infof("Recovery took over %d saga(s)", claimed);
                metrics.counter("saga.recovery.claims").increment(claimed);
            }
            lastScanFailed = false;
            lastSuccessfulScan = Instant.now();
        } catch (RuntimeException e) {
            lastScanFailed = true;
            LOG.warnf("Recovery scan failed (is the database reachable?): %s", e.getMessage());
        } finally {
            lastScan = Instant.now();
        }
    }

    /**
     * Takes what is due now, batch after batch, without waiting for the next scan: sagas an application has just
     * dispatched (see {@code dispatch.DispatchListener}). Instances woken together each take other sagas.
     *
     * @throws RuntimeException when the log cannot be read; the next scan tries again
     */
    public void takeDueNow() {
        int claimed;
        do {
            claimed = claimAndResume();
        } while (claimed == batch);
    }

    private int claimAndResume() {
        List<SagaSnapshot> claimed = QuarkusTransaction.requiringNew()
                .call(() -> log.claimDue(instance.id(), batch, engineConfig.lease()));
        claimed.forEach(engine::resume);
        return claimed.size();
    }

    /** When the loop last ran, and whether that run could read the log: readiness depends on it. */
    public Instant lastScan() {
        return lastScan;
    }

    public boolean lastScanFailed() {
        return lastScanFailed;
    }
}
