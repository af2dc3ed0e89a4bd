package io.sagaorchestrator.store;

import io.sagaorchestrator.core.SagaStatus;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Counts of the whole saga log for dashboards and alerts, read from indexes that cover only the few live and escalated
 * sagas, so that their cost does not grow with the history.
 */
@ApplicationScoped
public class SagaCounts {

    /**
     * @param stuck          live, not paused, holding its key, and not advanced for the stuck-after time
     * @param waitingForKey  live and waiting for the saga that holds its key
     */
    public record Counts(long running, long compensating, long escalated, long retrying, long stuck, long paused,
                         long waitingForKey, long waitingForSignal) {
    }

    private final AgroalDataSource db;

    SagaCounts(AgroalDataSource db) {
        this.db = db;
    }

    public Counts count(Duration stuckAfter) throws SQLException {
        try (Connection c = db.getConnection()) {
            long running = 0;
            long compensating = 0;
            long escalated = 0;
            // live and escalated sagas sit in two partial indexes (V15): one count each, each index-served
            try (PreparedStatement ps = c.prepareStatement("select status, count(*) from saga where " + StatusSql.LIVE
                    + " group by status union all select status, count(*) from saga where status = 'ESCALATED' group by status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (SagaStatus.valueOf(rs.getString(1))) {
                        case RUNNING -> running = rs.getLong(2);
                        case COMPENSATING -> compensating = rs.getLong(2);
                        default -> escalated = rs.getLong(2);
                    }
                }
            }
            long retrying = count(c, "select count(*) from saga where " + StatusSql.LIVE
                    + " and waiting_for is null and (owner is null or attempt - budget_base >= 2)", null);
            // a paused saga, or one waiting for the saga that holds its key, stands still on purpose: they are counted
            // apart, and the stuck alert stays for sagas nobody holds
            long stuck = count(c, "select count(*) from saga where " + StatusSql.LIVE + " and paused_at is null"
                    + " and waiting_for is null and key_held and updated_at < now() - ? * interval '1 millisecond'", stuckAfter.toMillis());
            // saga_live_key_waiter_idx covers only the waiting ones
            long waitingForKey = count(c, "select count(*) from saga where not key_held and " + StatusSql.LIVE, null);
            // saga_paused_idx covers only the paused ones
            long paused = count(c, "select count(*) from saga where paused_at is not null", null);
            // saga_waiting_idx covers only the sagas waiting for a signal, which stand still on purpose too
            long waitingForSignal = count(c, "select count(*) from saga where waiting_for is not null and " + StatusSql.LIVE, null);
            return new Counts(running, compensating, escalated, retrying, stuck, paused, waitingForKey, waitingForSignal);
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
