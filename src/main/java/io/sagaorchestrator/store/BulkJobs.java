package io.sagaorchestrator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The bulk jobs' rows: a job with the sagas chosen when it was submitted, each with its outcome, and the lease of the
 * instance working on it. Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class BulkJobs {

    private static final int LEASE_SECONDS = 30;

    public record Item(UUID sagaId, String outcome, String statusAfter, String detail, Instant doneAt) {
    }

    public record Job(UUID id, String operation, String reason, boolean force, JsonNode filter, String actor, String status,
                      int total, long pending, long applied, long refused, long failed, Instant createdAt, Instant finishedAt,
                      List<Item> items) {
    }

    /**
     * What a job does to each of its sagas, and who asked.
     *
     * @param actorSubject the subject of the token that signed the operator in; null after a password sign-in
     */
    public record Order(String operation, String reason, boolean force, String actor, String actorSubject) {
    }

    private final EntityManager em;
    private final ObjectMapper json;

    BulkJobs(EntityManager em, ObjectMapper json) {
        this.em = em;
        this.json = json;
    }

    public void insert(UUID id, Order order, JsonNode filter, List<UUID> sagas) {
        em.createNativeQuery("""
                        insert into bulk_operation (id, operation, reason, force, filter, actor, actor_subject, status, total)
                        values (?1, ?2, ?3, ?4, cast(?5 as jsonb), ?6, ?7, 'RUNNING', ?8)""")
                .setParameter(1, id).setParameter(2, order.operation()).setParameter(3, order.reason())
                .setParameter(4, order.force()).setParameter(5, filter.toString()).setParameter(6, order.actor())
                .setParameter(7, order.actorSubject()).setParameter(8, sagas.size()).executeUpdate();
        for (UUID saga : sagas) {
            em.createNativeQuery("insert into bulk_operation_item (bulk_id, saga_id, outcome) values (?1, ?2, 'PENDING')")
                    .setParameter(1, id).setParameter(2, saga).executeUpdate();
        }
    }

    public Optional<Job> find(UUID id) {
        List<?> rows = em.createNativeQuery("""
                select operation, reason, force, cast(filter as text), actor, status, total, created_at, finished_at
                from bulk_operation where id = ?1""").setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] r = (Object[]) rows.get(0);
        List<Item> items = new ArrayList<>();
        long[] counts = new long[4];
        for (Object row : em.createNativeQuery("""
                select saga_id, outcome, status_after, detail, done_at from bulk_operation_item
                where bulk_id = ?1 order by done_at nulls last, saga_id""").setParameter(1, id).getResultList()) {
            Object[] i = (Object[]) row;
            String outcome = (String) i[1];
            counts[List.of("PENDING", "APPLIED", "REFUSED", "FAILED").indexOf(outcome)]++;
            items.add(new Item((UUID) i[0], outcome, (String) i[2], (String) i[3], instant(i[4])));
        }
        try {
            return Optional.of(new Job(id, (String) r[0], (String) r[1], (Boolean) r[2], json.readTree((String) r[3]),
                    (String) r[4], (String) r[5], ((Number) r[6]).intValue(), counts[0], counts[1], counts[2], counts[3],
                    instant(r[7]), instant(r[8]), items));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bulk job " + id + " has a filter that is not JSON", e);
        }
    }

    /** Takes the oldest unfinished job nobody holds, or whose holder's lease ran out; rows others are taking are skipped. */
    public Optional<UUID> claim(String owner) {
        return em.createNativeQuery("""
                        update bulk_operation set owner = ?1, lease_until = now() + ?2 * interval '1 second'
                        where id = (select id from bulk_operation
                                    where status = 'RUNNING' and (lease_until is null or lease_until < now())
                                    order by created_at limit 1 for update skip locked)
                        returning id""").setParameter(1, owner).setParameter(2, LEASE_SECONDS).getResultList()
                .stream().findFirst().map(UUID.class::cast);
    }

    public Order order(UUID id) {
        Object[] r = (Object[]) em.createNativeQuery("""
                select operation, reason, force, actor, actor_subject from bulk_operation where id = ?1""")
                .setParameter(1, id).getSingleResult();
        return new Order((String) r[0], (String) r[1], (Boolean) r[2], (String) r[3], (String) r[4]);
    }

    /** Renews the holder's lease and hands it the next sagas still to do; none once another instance took the job over. */
    public List<UUID> nextSagas(UUID id, String owner, int limit) {
        int held = em.createNativeQuery("""
                        update bulk_operation set lease_until = now() + ?3 * interval '1 second'
                        where id = ?1 and owner = ?2""")
                .setParameter(1, id).setParameter(2, owner).setParameter(3, LEASE_SECONDS).executeUpdate();
        if (held == 0) {
            return List.of();
        }
        return em.createNativeQuery("select saga_id from bulk_operation_item where bulk_id = ?1 and outcome = 'PENDING' limit ?2")
                .setParameter(1, id).setParameter(2, limit).getResultList().stream().map(UUID.class::cast).toList();
    }

    /** A saga's outcome, recorded once: in the transaction of the operation it records. */
    public void recordOutcome(UUID id, UUID sagaId, String outcome, String statusAfter, String detail) {
        em.createNativeQuery("""
                        update bulk_operation_item set outcome = ?1, status_after = ?2, detail = ?3, done_at = now()
                        where bulk_id = ?4 and saga_id = ?5 and outcome = 'PENDING'""")
                .setParameter(1, outcome).setParameter(2, statusAfter).setParameter(3, detail).setParameter(4, id)
                .setParameter(5, sagaId).executeUpdate();
    }

    /** Ends the job once none of its sagas is left to do, if this instance still holds it. */
    public void finish(UUID id, String owner) {
        em.createNativeQuery("""
                        update bulk_operation set status = 'DONE', finished_at = now(), owner = null, lease_until = null
                        where id = ?1 and owner = ?2
                          and not exists (select 1 from bulk_operation_item where bulk_id = ?1 and outcome = 'PENDING')""")
                .setParameter(1, id).setParameter(2, owner).executeUpdate();
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Instant i ? i : value instanceof Timestamp t ? t.toInstant() : ((OffsetDateTime) value).toInstant();
    }
}
