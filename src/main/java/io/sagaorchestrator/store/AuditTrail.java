package io.sagaorchestrator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The record of every manual operation: who, when, what, why, and the status before and after. */
@ApplicationScoped
public class AuditTrail {

    /** @param actorSubject the subject ({@code sub}) of the actor's token; null for a password sign-in */
    public record Entry(long id, UUID sagaId, String operation, String actor, String actorSubject, String reason, String statusBefore,
                        String statusAfter, JsonNode details, Instant at) {
    }

    /** A search of the trail; null members do not filter. */
    public record Filter(UUID sagaId, String actor, String operation, Instant from, Instant to) {
    }

    private static final String COLUMNS = "id, saga_id, operation, actor, actor_subject, reason, status_before, status_after, details, at";

    private final EntityManager em;
    private final ReadConnections reads;
    private final ObjectMapper json;

    AuditTrail(EntityManager em, ReadConnections reads, ObjectMapper json) {
        this.em = em;
        this.reads = reads;
        this.json = json;
    }

    /** Writes an entry in the caller's transaction, so it commits exactly when the operation does. */
    public long record(UUID sagaId, String operation, String actor, String actorSubject, String reason, String before,
                       String after, JsonNode details) {
        Object id = em.createNativeQuery("insert into saga_audit (saga_id, operation, actor, actor_subject, reason, status_before,"
                        + " status_after, details) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, cast(?8 as jsonb)) returning id")
                .setParameter(1, sagaId).setParameter(2, operation).setParameter(3, actor)
                .setParameter(4, actorSubject).setParameter(5, reason).setParameter(6, before).setParameter(7, after)
                .setParameter(8, details == null ? null : details.toString())
                .getSingleResult();
        return ((Number) id).longValue();
    }

    public List<Entry> search(Filter f, int limit) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from saga_audit where true");
        List<Object> params = new ArrayList<>();
        if (f.sagaId() != null) {
            sql.append(" and saga_id = ?");
            params.add(f.sagaId());
        }
        if (f.actor() != null) {
            sql.append(" and actor = ?");
            params.add(f.actor());
        }
        if (f.operation() != null) {
            sql.append(" and operation = ?");
            params.add(f.operation());
        }
        if (f.from() != null) {
            sql.append(" and at >= ?");
            params.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" and at < ?");
            params.add(Timestamp.from(f.to()));
        }
        sql.append(f.sagaId() != null ? " order by at, id" : " order by at desc, id desc").append(" limit ?");
        params.add(limit);
        try (Connection c = reads.open(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), read(rs.getString(9)),
                            rs.getTimestamp(10).toInstant()));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw reads.failure("cannot read the audit trail", e);
        }
    }

    private JsonNode read(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
