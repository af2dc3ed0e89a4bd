package io.sagaorchestrator.retention;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Keeps the saga log bounded: sagas that ended (COMPLETED, COMPENSATED, RESOLVED) more than
 * {@code saga.retention.max-age} ago are deleted with their attempts and audit entries, in small
 * batches so that no long transaction or lock competes with live sagas. ESCALATED sagas are never
 * deleted: they wait for a person. Several instances may run it at once (rows are taken with SKIP LOCKED).
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);
    private static final int MAX_BATCHES_PER_RUN = 100;

    private final EntityManager em;
    private final Duration maxAge;
    private final int batch;

    Retention(EntityManager em,
              @ConfigProperty(name = "saga.retention.max-age", defaultValue = "30d") Duration maxAge,
              @ConfigProperty(name = "saga.retention.batch", defaultValue = "500") int batch) {
        this.em = em;
        this.maxAge = maxAge;
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

    /** Deletes ended sagas older than the maximum age; returns how many. */
    public long purge() {
        long total = 0;
        for (int i = 0; i < MAX_BATCHES_PER_RUN; i++) {
            int deleted = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("delete from saga where id in"
                            + " (select id from saga where status in ('COMPLETED', 'COMPENSATED', 'RESOLVED')"
                            + " and created_at < now() - ?1 * interval '1 millisecond' limit ?2 for update skip locked)")
                    .setParameter(1, maxAge.toMillis()).setParameter(2, batch).executeUpdate());
            total += deleted;
            if (deleted < batch) {
                break;
            }
        }
        if (total > 0) {
            LOG.infof("Saga retention deleted %d saga(s) that ended more than %s ago", total, maxAge);
        }
        return total;
    }
}
