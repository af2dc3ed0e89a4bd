package io.sagaorchestrator.observability;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.engine.SagaRunner;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gauges of the whole saga log, for dashboards and alerts: sagas running, compensating, retrying,
 * paused, escalated and stuck (live but not advanced for {@code saga.stuck-after}). Read every
 * {@code saga.metrics.refresh} from indexes that cover only the few live and escalated sagas, so
 * their cost does not grow with the history; and sagas in flight on this instance.
 */
@ApplicationScoped
public class SagaGauges {

    private static final Logger LOG = Logger.getLogger(SagaGauges.class);

    private final AgroalDataSource db;
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

    SagaGauges(AgroalDataSource db, MeterRegistry metrics, SagaRunner runner,
               @ConfigProperty(name = "saga.stuck-after", defaultValue = "5m") Duration stuckAfter) {
        this.db = db;
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
        try (Connection c = db.getConnection()) {
            running.set(0);
            compensating.set(0);
            escalated.set(0);
            // live and escalated sagas sit in two partial indexes (V15): one count each, each index-served
            try (PreparedStatement ps = c.prepareStatement("select status, count(*) from saga"
                    + " where status in ('RUNNING', 'COMPENSATING') group by status"
                    + " union all select status, count(*) from saga where status = 'ESCALATED' group by status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getString(1)) {
                        case "RUNNING" -> running.set(rs.getLong(2));
                        case "COMPENSATING" -> compensating.set(rs.getLong(2));
                        default -> escalated.set(rs.getLong(2));
                    }
                }
            }
            retrying.set(count(c, "select count(*) from saga where status in ('RUNNING', 'COMPENSATING')"
                    + " and (owner is null or attempt - budget_base >= 2)", null));
            // a paused saga, or one waiting for the saga that holds its key, stands still on purpose: saga.paused and
            // saga.waiting.for.key count them, and the stuck alert stays for sagas nobody holds
            stuck.set(count(c, "select count(*) from saga where status in ('RUNNING', 'COMPENSATING') and paused_at is null"
                    + " and key_held and updated_at < now() - ? * interval '1 millisecond'", stuckAfter.toMillis()));
            // saga_live_key_waiter_idx covers only the waiting ones
            waitingForKey.set(count(c, "select count(*) from saga where not key_held and status in ('RUNNING', 'COMPENSATING')",
                    null));
            // saga_paused_idx covers only the paused ones
            paused.set(count(c, "select count(*) from saga where paused_at is not null", null));
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Saga gauges not refreshed: %s", e.getMessage());
        }
    }

    private static long count(Connection c, String sql, Long param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setLong(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
