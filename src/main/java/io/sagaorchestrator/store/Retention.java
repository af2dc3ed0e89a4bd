package io.sagaorchestrator.store;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Keeps the saga log bounded: sagas that ended (COMPLETED, COMPENSATED, RESOLVED) more than
 * {@code saga.retention.max-age} ago are deleted with their attempts, in small batches so that no
 * long transaction or lock competes with live sagas. ESCALATED sagas are never deleted: they wait for
 * a person. The audit trail answers to other rules (who repaired what, often kept for a year or
 * more): its entries outlive their saga and go only once older than {@code saga.audit.retention}.
 * Several instances may run it at once (rows are taken with SKIP LOCKED).
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);
    private static final int MAX_BATCHES_PER_RUN = 100;

    private final EntityManager em;
    private final Duration maxAge;
    private final Duration auditMaxAge;
    private final int batch;

    Retention(EntityManager em,
              @ConfigProperty(name = "saga.retention.max-age", defaultValue = "30d") Duration maxAge,
              @ConfigProperty(name = "saga.audit.retention", defaultValue = "400d") Duration auditMaxAge,
              @ConfigProperty(name = "saga.retention.batch", defaultValue = "500") int batch) {
        this.em = em;
        this.maxAge = maxAge;
        this.auditMaxAge = auditMaxAge;
        this.batch = batch;
    }

    @Scheduled(every = "${saga.retention.interval:10m}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            purge();
        } catch (RuntimeException e) {
            LOG.warnf("Saga retention did not run: %s", e.getMessage());
        }
    }

    /** Deletes ended sagas older than the maximum age, then audit entries older than theirs; returns how many sagas. */
    public long purge() {
        long sagas = inBatches("delete from saga where id in (select id from saga where " + StatusSql.SETTLED
                + " and created_at < now() - ?1 * interval '1 millisecond' limit ?2 for update skip locked)", maxAge);
        if (sagas > 0) {
            LOG.infof("Saga retention deleted %d saga(s) that ended more than %s ago", sagas, maxAge);
        }
        long entries = inBatches("""
                delete from saga_audit where id in (select id from saga_audit
                where at < now() - ?1 * interval '1 millisecond' limit ?2 for update skip locked)""", auditMaxAge);
        if (entries > 0) {
            LOG.infof("Saga retention deleted %d audit entr(ies) older than %s", entries, auditMaxAge);
        }
        return sagas;
    }

    /** Runs {@code delete} (older than ?1, at most ?2 rows) one transaction per batch until a batch comes back short. */
    private long inBatches(String delete, Duration olderThan) {
        long total = 0;
        for (int i = 0; i < MAX_BATCHES_PER_RUN; i++) {
            int deleted = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(delete)
                    .setParameter(1, olderThan.toMillis()).setParameter(2, batch).executeUpdate());
            total += deleted;
            if (deleted < batch) {
                break;
            }
        }
        return total;
    }
}
