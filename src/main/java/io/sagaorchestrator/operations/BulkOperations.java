package io.sagaorchestrator.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.api.SagaNotFoundException;
import io.sagaorchestrator.api.SagaQueries;
import io.sagaorchestrator.api.SagaViews;
import io.sagaorchestrator.engine.Instance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One manual operation over many sagas, as a server-side job. The sagas are chosen when the job is
 * submitted (what the operator saw is what gets changed) and stored with it, so the job survives a
 * restart: any instance takes over a job whose lease ran out and goes on with the sagas not done
 * yet. Each saga is changed and its outcome recorded in one transaction, through the same
 * {@link ManualOperations} as a single operation, with the same checks and audit entry.
 */
@ApplicationScoped
public class BulkOperations {

    private static final Logger LOG = Logger.getLogger(BulkOperations.class);
    static final int MAX_SAGAS = 10_000;
    private static final int BATCH = 50;
    private static final int LEASE_SECONDS = 30;

    public record Item(UUID sagaId, String outcome, String statusAfter, String detail, Instant doneAt) {
    }

    public record Job(UUID id, String operation, String reason, boolean force, JsonNode filter, String actor, String status,
                      int total, long pending, long applied, long refused, long failed, Instant createdAt, Instant finishedAt,
                      List<Item> items) {
    }

    private final EntityManager em;
    private final SagaQueries queries;
    private final ManualOperations operations;
    private final Instance instance;
    private final ObjectMapper json;

    BulkOperations(EntityManager em, SagaQueries queries, ManualOperations operations, Instance instance, ObjectMapper json) {
        this.em = em;
        this.queries = queries;
        this.operations = operations;
        this.instance = instance;
        this.json = json;
    }

    /** Records the job with the sagas the filter matches now; they are worked on in the background. */
    public UUID submit(Operation operation, OperationRequest request, SagaQueries.Filter filter, JsonNode filterJson, Actor actor) {
        List<UUID> sagas = matching(filter);
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("insert into bulk_operation (id, operation, reason, force, filter, actor, actor_subject,"
                            + " status, total) values (?1, ?2, ?3, ?4, cast(?5 as jsonb), ?6, ?8, 'RUNNING', ?7)")
                    .setParameter(1, id).setParameter(2, operation.path()).setParameter(3, request.reason())
                    .setParameter(4, request.forced()).setParameter(5, filterJson.toString()).setParameter(6, actor.name())
                    .setParameter(7, sagas.size()).setParameter(8, actor.subject()).executeUpdate();
            for (UUID saga : sagas) {
                em.createNativeQuery("insert into bulk_operation_item (bulk_id, saga_id, outcome) values (?1, ?2, 'PENDING')")
                        .setParameter(1, id).setParameter(2, saga).executeUpdate();
            }
        });
        LOG.infof("Bulk %s %s by %s submitted for %d saga(s)", operation.path(), id, actor.name(), sagas.size());
        return id;
    }

    /** The sagas a job over {@code filter} would be submitted for, now. */
    List<UUID> matching(SagaQueries.Filter filter) {
        List<UUID> sagas = new ArrayList<>();
        String cursor = null;
        do {
            SagaViews.Page page = queries.list(filter, cursor, 500);
            page.items().forEach(s -> sagas.add(s.sagaId()));
            cursor = page.nextCursor();
            if (sagas.size() > MAX_SAGAS) {
                throw new TooManySagasException(MAX_SAGAS);
            }
        } while (cursor != null);
        return sagas;
    }

    public Optional<Job> job(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> rows = em.createNativeQuery("select operation, reason, force, cast(filter as text), actor, status, total,"
                    + " created_at, finished_at from bulk_operation where id = ?1").setParameter(1, id).getResultList();
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            Object[] r = (Object[]) rows.get(0);
            List<Item> items = new ArrayList<>();
            long[] counts = new long[4];
            for (Object row : em.createNativeQuery("select saga_id, outcome, status_after, detail, done_at from bulk_operation_item"
                    + " where bulk_id = ?1 order by done_at nulls last, saga_id").setParameter(1, id).getResultList()) {
                Object[] i = (Object[]) row;
                String outcome = (String) i[1];
                counts[List.of("PENDING", "APPLIED", "REFUSED", "FAILED").indexOf(outcome)]++;
                items.add(new Item((UUID) i[0], outcome, (String) i[2], (String) i[3], instant(i[4])));
            }
            return Optional.of(new Job(id, (String) r[0], (String) r[1], (Boolean) r[2], json.readTree((String) r[3]), (String) r[4],
                    (String) r[5], ((Number) r[6]).intValue(), counts[0], counts[1], counts[2], counts[3], instant(r[7]),
                    instant(r[8]), items));
        });
    }

    @Scheduled(every = "${saga.bulk.interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void work() {
        try {
            claim().ifPresent(this::run);
        } catch (RuntimeException e) {
            LOG.warnf("Bulk operations could not run now: %s", e.getMessage());
        }
    }

    private Optional<UUID> claim() {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("update bulk_operation set owner = ?1,"
                        + " lease_until = now() + interval '" + LEASE_SECONDS + " seconds' where id = (select id from bulk_operation"
                        + " where status = 'RUNNING' and (lease_until is null or lease_until < now()) order by created_at limit 1"
                        + " for update skip locked) returning id").setParameter(1, instance.id()).getResultList()
                .stream().findFirst().map(UUID.class::cast));
    }

    private void run(UUID bulkId) {
        Object[] job = QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(
                "select operation, reason, force, actor, actor_subject from bulk_operation where id = ?1").setParameter(1, bulkId).getSingleResult());
        Operation operation = Operation.valueOf(((String) job[0]).toUpperCase(java.util.Locale.ROOT));
        OperationRequest request = new OperationRequest((String) job[1], (Boolean) job[2]);
        Actor actor = new Actor((String) job[3], (String) job[4]);
        while (true) {
            List<UUID> batch = QuarkusTransaction.requiringNew().call(() -> {
                int held = em.createNativeQuery("update bulk_operation set lease_until = now() + interval '" + LEASE_SECONDS
                        + " seconds' where id = ?1 and owner = ?2").setParameter(1, bulkId).setParameter(2, instance.id()).executeUpdate();
                if (held == 0) {
                    return List.<UUID>of();
                }
                return em.createNativeQuery("select saga_id from bulk_operation_item where bulk_id = ?1 and outcome = 'PENDING'"
                        + " limit " + BATCH).setParameter(1, bulkId).getResultList().stream().map(UUID.class::cast).toList();
            });
            if (batch.isEmpty()) {
                break;
            }
            batch.forEach(saga -> applyOne(bulkId, saga, operation, request, actor));
        }
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update bulk_operation set status = 'DONE',"
                + " finished_at = now(), owner = null, lease_until = null where id = ?1 and owner = ?2 and not exists"
                + " (select 1 from bulk_operation_item where bulk_id = ?1 and outcome = 'PENDING')")
                .setParameter(1, bulkId).setParameter(2, instance.id()).executeUpdate());
        LOG.infof("Bulk %s %s finished", operation.path(), bulkId);
    }

    /** The operation and its item's outcome commit together, so a restart never applies it twice. */
    private void applyOne(UUID bulkId, UUID sagaId, Operation operation, OperationRequest request, Actor actor) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                ManualOperations.Result r = operations.apply(sagaId, operation, actor, request);
                record(bulkId, sagaId, "APPLIED", r.statusAfter(), "audit entry " + r.auditId());
            });
        } catch (OperationRefusedException e) {
            QuarkusTransaction.requiringNew().run(() -> record(bulkId, sagaId, "REFUSED", e.status().name(), e.getMessage()));
        } catch (SagaNotFoundException e) {
            QuarkusTransaction.requiringNew().run(() -> record(bulkId, sagaId, "FAILED", null, e.getMessage()));
        }
    }

    private void record(UUID bulkId, UUID sagaId, String outcome, String statusAfter, String detail) {
        em.createNativeQuery("update bulk_operation_item set outcome = ?1, status_after = ?2, detail = ?3, done_at = now()"
                        + " where bulk_id = ?4 and saga_id = ?5 and outcome = 'PENDING'")
                .setParameter(1, outcome).setParameter(2, statusAfter).setParameter(3, detail).setParameter(4, bulkId)
                .setParameter(5, sagaId).executeUpdate();
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Instant i ? i : value instanceof java.sql.Timestamp t ? t.toInstant()
                : ((java.time.OffsetDateTime) value).toInstant();
    }
}
