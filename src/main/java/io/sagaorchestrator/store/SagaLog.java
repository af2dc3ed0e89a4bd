package io.sagaorchestrator.store;

import io.sagaorchestrator.core.AttemptRecord;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.core.StepState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import io.agroal.api.AgroalDataSource;
import io.sagaorchestrator.core.Decision;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.hibernate.jdbc.ReturningWork;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable saga log in PostgreSQL. Every method runs in the caller's transaction: the JTA
 * transaction of the calling thread, or, for the engine's own steps, the plain JDBC transaction of
 * {@link #inNewTransaction}, on the same connection as the rows a local step writes, so a step's
 * effect and its log rows commit together. Times that decide who may act (leases, retries) are the
 * database's clock, shared by all instances.
 */
@ApplicationScoped
public class SagaLog {

    /** Work on the saga log and on the connection of its transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(SagaLog log, Connection connection) throws SQLException;
    }

    private static final TypeReference<Map<String, StepState>> STEP_STATES = new TypeReference<>() {
    };
    private static final String SAGA_COLUMNS = "id, definition_name, definition_version, definition_hash, status, business_key,"
            + " input, result, step_index, attempt, budget_base, step_states, version, last_error, created_at, trace_parent,"
            + " deadline_at, step_deadline_at";

    private static final String INSERT_SAGA = "insert into saga (id, definition_name, definition_version, definition_hash,"
            + " status, business_key, caller, idempotency_key, input, result, step_index, attempt, step_states, owner, wake_at, version,"
            + " last_error, created_at, trace_parent, deadline_at, step_deadline_at, live_key, key_held, updated_at) values (?, ?, ?, ?,"
            + " ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?, cast(? as jsonb), ?, now() + ? * interval '1 millisecond', ?, ?, ?,"
            + " ?, ?, ?, ?, ?, now())";

    /**
     * Only a saga with an idempotency key can meet an earlier one; without a key the plain insert is kept, since an
     * {@code on conflict} insert is speculative: it writes a second WAL record to confirm the row, on every saga.
     */
    private static final String IF_NEW = " on conflict (definition_name, caller, idempotency_key) where idempotency_key is not null"
            + " do nothing";

    private static final String ATTEMPT_VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb)";

    private static final String INSERT_ATTEMPT = "insert into saga_step_attempt (saga_id, step_name, direction, attempt,"
            + " outcome, instance, started_at, ended_at, error_class, error_message, request, response)";

    private static String insertSaga(boolean keyed, boolean withIntent) {
        String insert = INSERT_SAGA + (keyed ? IF_NEW : "");
        return withIntent ? "with s as (" + insert + " returning id) " + INSERT_ATTEMPT + " select id, " + ATTEMPT_VALUES + " from s"
                : insert;
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final AgroalDataSource dataSource;
    private final EscalationConfig escalation;
    /** The connection of a transaction of {@link #inNewTransaction}; null for the JTA-bound bean. */
    private final Connection bound;
    /**
     * Attempt rows this transaction of {@link #inNewTransaction} has yet to send: they go as CTEs of the statement that
     * stores the saga (its fenced update), one round trip for the lot, or on their own just before the commit. Null for
     * the JTA-bound bean, which writes at once.
     */
    private final List<AttemptWrite> unsent;
    /** The JSON text of this transaction's writes (of each call of the JTA-bound bean, which keeps no state). */
    private final LogJson written;

    @Inject
    SagaLog(EntityManager em, ObjectMapper json, AgroalDataSource dataSource, EscalationConfig escalation) {
        this(em, json, dataSource, escalation, null);
    }

    private SagaLog(EntityManager em, ObjectMapper json, AgroalDataSource dataSource, EscalationConfig escalation,
                    Connection bound) {
        this.em = em;
        this.json = json;
        this.dataSource = dataSource;
        this.escalation = escalation;
        this.bound = bound;
        this.written = bound == null ? null : new LogJson(json);
        this.unsent = bound == null ? null : new ArrayList<>();
    }

    /**
     * Runs {@code work} in a transaction of its own on one plain JDBC connection: no JTA transaction
     * and no Hibernate session, which the engine's steps do not need and would pay for on every
     * commit. It must not be called inside a JTA transaction (the connection would join it).
     *
     * @throws SagaLogUnavailableException when the database failed (the work's own unchecked
     *         exceptions pass as they are); either way, nothing of the work is committed, unless the
     *         commit itself broke off, whose outcome is then unknown
     */
    public <T> T inNewTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                SagaLog log = new SagaLog(em, json, dataSource, escalation, c);
                T result = work.apply(log, c);
                log.sendUnsent();
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new SagaLogUnavailableException(e);
        }
    }

    /**
     * Records a new saga, with the intent of its first remote call when it has one, in the caller's transaction. Nothing
     * is written when the caller sent the idempotency key before, or when another saga holds the saga's key and the
     * definition refuses a second start meanwhile. A saga whose key is held by another is recorded without an intent,
     * ownerless and never due: the commit that ends the holder hands it the key (see V14's {@code saga_pass_live_key}).
     */
    public Recorded insert(NewSaga saga) {
        return work(c -> {
            Holder holder = saga.liveKey() == null ? null : lockKeyAndFindHolder(c, saga.liveKey());
            if (holder != null && saga.refuseWhileLive()) {
                return saga.idempotencyKey() != null
                        && findByIdempotencyKey(saga.saga().definitionName(), saga.caller(), saga.idempotencyKey()).isPresent()
                        ? Recorded.DUPLICATE : new Recorded(Recorded.Kind.KEY_HELD, holder.id());
            }
            boolean withIntent = saga.intent() != null && holder == null;
            try (PreparedStatement ps = c.prepareStatement(insertSaga(saga.idempotencyKey() != null, withIntent))) {
                int next = bindSaga(ps, saga, holder);
                if (withIntent) {
                    bindAttempt(ps, next, saga.intent());
                }
                if (ps.executeUpdate() == 0) {
                    return Recorded.DUPLICATE;
                }
            }
            return holder == null ? Recorded.CREATED : new Recorded(Recorded.Kind.WAITING, holder.id());
        });
    }

    /** The live saga that holds a key. */
    private record Holder(UUID id) {
    }

    /**
     * Takes the key's lock until the caller's transaction ends, then finds its holder. The lock comes first, in a
     * statement of its own: the look-up's snapshot is then taken after a holder that was ending has committed, and
     * handed the key on to the waiters it could see; the trigger that hands it on takes the same lock.
     */
    private static Holder lockKeyAndFindHolder(Connection c, String key) throws SQLException {
        // two statements in one round trip: the driver sends both at once, the server runs the look-up after the lock
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0)); " + HOLDER)) {
            ps.setString(1, key);
            ps.setString(2, key);
            ps.execute();
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("the key's holder was not looked up after its lock");
            }
            return holder(ps.getResultSet());
        }
    }

    private static Holder holderOf(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HOLDER)) {
            ps.setString(1, key);
            return holder(ps.executeQuery());
        }
    }

    private static final String HOLDER = "select id from saga where live_key = ? and key_held"
            + " and " + StatusSql.UNSETTLED;

    private static Holder holder(ResultSet found) throws SQLException {
        try (ResultSet rs = found) {
            return rs.next() ? new Holder(rs.getObject(1, UUID.class)) : null;
        }
    }

    /**
     * Gives a saga recorded without its key (dispatched by SQL, which cannot read a definition's key) the key, before its
     * first step, in the caller's transaction.
     *
     * @return the saga that holds the key, when another does: the saga then waits for it, released and never due until
     *         that one ends; null when this saga holds it now
     */
    public UUID takeKey(UUID sagaId, String key) {
        return work(c -> {
            Holder found = lockKeyAndFindHolder(c, key);
            // a saga that waited was handed the key, and is claimed again: it holds it already
            Holder holder = found != null && found.id().equals(sagaId) ? null : found;
            try (PreparedStatement ps = c.prepareStatement("update saga set live_key = ?, key_held = ?,"
                    + " owner = case when ? then owner end, last_error = coalesce(?, last_error), updated_at = now() where id = ?")) {
                ps.setString(1, key);
                ps.setBoolean(2, holder == null);
                ps.setBoolean(3, holder == null);
                ps.setString(4, holder == null ? null : waitingFor(holder, key));
                ps.setObject(5, sagaId);
                requireOne(ps, sagaId);
            }
            return holder == null ? null : holder.id();
        });
    }

    private static String waitingFor(Holder holder, String key) {
        return "waits for saga " + holder.id() + ", which holds the key " + key + ": this saga starts when that one has"
                + " ended (an ESCALATED one ends when an operator resolves it, or its retried compensation ends)";
    }

    /**
     * The saga that keeps an operator from undoing a COMPLETED saga: a live saga with its key, or one started after it
     * that did not end COMPENSATED (it may have adopted what this saga created). Empty when there is none, or the saga
     * has no key.
     *
     * @param lockKey hold the key's lock until the caller's transaction ends, so that no saga takes the key before the
     *                undoing saga does (the operation); a preview takes none
     */
    public Optional<UUID> laterSagaOnKey(UUID sagaId, boolean lockKey) {
        return work(c -> {
            String key;
            try (PreparedStatement ps = c.prepareStatement("select live_key from saga where id = ?")) {
                ps.setObject(1, sagaId);
                try (ResultSet rs = ps.executeQuery()) {
                    key = rs.next() ? rs.getString(1) : null;
                }
            }
            if (key == null) {
                return Optional.empty();
            }
            Holder holder = lockKey ? lockKeyAndFindHolder(c, key) : holderOf(c, key);
            if (holder != null && !holder.id().equals(sagaId)) {
                return Optional.of(holder.id());
            }
            try (PreparedStatement ps = c.prepareStatement("select l.id from saga l join saga s on s.id = ?"
                    + " where l.live_key = ? and l.id <> s.id and l.created_at >= s.created_at and l.status <> 'COMPENSATED'"
                    + " order by l.created_at desc limit 1")) {
                ps.setObject(1, sagaId);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Records a new saga as {@link #insert} does, in a transaction of its own, and returns once it is
     * committed: the one commit every saga pays before any of its work.
     *
     * @throws SagaRefusedException when the database refused the saga's values (nothing written)
     * @throws SagaLogUnavailableException when it could not be written
     */
    public Recorded record(NewSaga saga) {
        try {
            return inNewTransaction((l, c) -> l.insert(saga));
        } catch (SagaLogUnavailableException e) {
            throw refusedARow(e) ? new SagaRefusedException(e.getCause()) : e;
        }
    }

    /** A data exception or a broken constraint: the saga's values were refused, not the database unavailable. */
    private static boolean refusedARow(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    private int bindSaga(PreparedStatement ps, NewSaga n, Holder waitsFor) throws SQLException {
        SagaSnapshot s = n.saga();
        ps.setObject(1, s.id());
        ps.setString(2, s.definitionName());
        ps.setInt(3, s.definitionVersion());
        ps.setString(4, s.definitionHash());
        ps.setString(5, s.status().name());
        ps.setString(6, s.businessKey());
        ps.setString(7, n.caller());
        ps.setString(8, n.idempotencyKey());
        ps.setString(9, write(s.input()));
        ps.setString(10, write(s.result()));
        ps.setInt(11, s.stepIndex());
        ps.setInt(12, s.attempt());
        ps.setString(13, texts().stepStates(s.stepStates()));
        ps.setString(14, waitsFor == null ? n.owner() : null);
        ps.setLong(15, n.lease().toMillis());
        ps.setLong(16, s.version());
        ps.setString(17, waitsFor == null ? s.lastError() : waitingFor(waitsFor, n.liveKey()));
        ps.setTimestamp(18, Timestamp.from(s.createdAt()));
        ps.setString(19, s.traceParent());
        ps.setTimestamp(20, timestamp(s.deadlineAt()));
        ps.setTimestamp(21, timestamp(s.stepDeadlineAt()));
        ps.setString(22, n.liveKey());
        ps.setBoolean(23, waitsFor == null);
        return 24;
    }

    /** Binds an attempt's columns after {@code saga_id}, from parameter {@code from} on. */
    private void bindAttempt(PreparedStatement ps, int from, AttemptRecord a) throws SQLException {
        ps.setString(from, a.stepName());
        ps.setString(from + 1, a.direction().name());
        ps.setInt(from + 2, a.attempt());
        ps.setString(from + 3, a.outcome().name());
        ps.setString(from + 4, a.instance());
        ps.setTimestamp(from + 5, Timestamp.from(a.startedAt()));
        ps.setTimestamp(from + 6, a.endedAt() == null ? null : Timestamp.from(a.endedAt()));
        ps.setString(from + 7, a.errorClass());
        ps.setString(from + 8, a.errorMessage());
        ps.setString(from + 9, write(a.request()));
        ps.setString(from + 10, write(a.response()));
    }

    /** The saga {@code caller} started with this key; another caller's key finds nothing. */
    public Optional<UUID> findByIdempotencyKey(String definition, String caller, String idempotencyKey) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select id from saga where definition_name = ? and caller = ? and idempotency_key = ?")) {
                ps.setString(1, definition);
                ps.setString(2, caller);
                ps.setString(3, idempotencyKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Stores {@code next} over the version the caller last saw, and bumps the version. {@code owner}
     * null releases the saga (terminal, or waiting for a scheduled retry); {@code wakeIn} is when
     * somebody must look at it again (lease expiry or retry time), null when never.
     *
     * @return the new version
     * @throws LeaseLostException when the saga is no longer at {@code next.version()}
     */
    public long update(SagaSnapshot next, String owner, Duration wakeIn) {
        return update(next, owner, wakeIn, false, null);
    }

    /**
     * Stores {@code next} as {@link #update} does, in the commit that begins an attempt (the intent of a remote call, or
     * a local step with its effect): unless an operator has paused the saga, which checks the pause at no extra cost.
     *
     * @throws SagaPausedException when the saga is paused (the caller's transaction must roll back)
     * @throws LeaseLostException  when the saga is no longer at {@code next.version()}
     */
    public long beginAttempt(SagaSnapshot next, String owner, Duration wakeIn) {
        return update(next, owner, wakeIn, true, null);
    }

    /** @param waitingFor the signal the released saga waits for (see V18), null for every other write, which clears it */
    private long update(SagaSnapshot next, String owner, Duration wakeIn, boolean beginsAttempt, String waitingFor) {
        return work(c -> {
            // a saga that ends or escalates drops its pause: the pause is about a live saga's next attempts, and a retry
            // of an escalated saga must not find one left over
            // the attempt rows this transaction holds ride in the same statement: one round trip (a paused or lost saga
            // rolls the whole transaction back, rows and all)
            try (PreparedStatement ps = c.prepareStatement(withUnsent("update saga set status = ?, result = cast(? as jsonb),"
                    + " step_index = ?, attempt = ?, budget_base = ?, step_states = cast(? as jsonb), owner = ?,"
                    + " wake_at = now() + cast(? as bigint) * interval '1 millisecond', last_error = ?, deadline_at = ?,"
                    + " step_deadline_at = ?, waiting_for = ?, version = version + 1,"
                    + " paused_at = case when cast(? as boolean) then paused_at end,"
                    + " paused_by = case when cast(? as boolean) then paused_by end,"
                    + " updated_at = now() where id = ? and version = ?" + (beginsAttempt ? " and paused_at is null" : "")))) {
                int p = bindUnsent(ps);
                ps.setString(p, next.status().name());
                ps.setString(p + 1, write(next.result()));
                ps.setInt(p + 2, next.stepIndex());
                ps.setInt(p + 3, next.attempt());
                ps.setInt(p + 4, next.budgetBase());
                ps.setString(p + 5, texts().stepStates(next.stepStates()));
                ps.setString(p + 6, owner);
                if (wakeIn == null) {
                    ps.setNull(p + 7, Types.BIGINT);
                } else {
                    ps.setLong(p + 7, wakeIn.toMillis());
                }
                ps.setString(p + 8, next.lastError());
                ps.setTimestamp(p + 9, timestamp(next.deadlineAt()));
                ps.setTimestamp(p + 10, timestamp(next.stepDeadlineAt()));
                ps.setString(p + 11, waitingFor);
                ps.setBoolean(p + 12, !next.status().isTerminal());
                ps.setBoolean(p + 13, !next.status().isTerminal());
                ps.setObject(p + 14, next.id());
                ps.setLong(p + 15, next.version());
                if (ps.executeUpdate() != 1) {
                    if (beginsAttempt && pausedAt(c, next)) {
                        throw new SagaPausedException(next.id());
                    }
                    throw new LeaseLostException(next.id(), next.version());
                }
                return next.version() + 1;
            }
        });
    }

    /** Whether the saga is still at {@code next}'s version, and paused: why a commit beginning an attempt found no row. */
    private static boolean pausedAt(Connection c, SagaSnapshot next) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from saga where id = ? and version = ? and paused_at is not null")) {
            ps.setObject(1, next.id());
            ps.setLong(2, next.version());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Pins the saga to another version of its definition, in the caller's transaction, fenced like {@link #update}
     * but without bumping the version: the {@code update} of the same operation does that.
     *
     * @throws LeaseLostException when the saga is no longer at {@code next.version()}
     */
    public void moveToDefinition(SagaSnapshot next) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga set definition_version = ?, definition_hash = ?"
                    + " where id = ? and version = ?")) {
                ps.setInt(1, next.definitionVersion());
                ps.setString(2, next.definitionHash());
                ps.setObject(3, next.id());
                ps.setLong(4, next.version());
                if (ps.executeUpdate() != 1) {
                    throw new LeaseLostException(next.id(), next.version());
                }
                return null;
            }
        });
    }

    /**
     * Gives a saga that had none (dispatched by SQL, or started while tracing was off) the trace context of its first
     * traced run, in the caller's transaction; a context stored meanwhile by another run is kept.
     */
    /** Writes what a run held back since its last commit, in the transaction of its next one. */
    public void writeHeldBack(UUID sagaId, HeldBack held) {
        for (AttemptRecord outcome : held.outcomes()) {
            finishAttempt(sagaId, outcome);
        }
        for (AttemptRecord failed : held.failedLocalAttempts()) {
            insertAttempt(sagaId, failed);
        }
        if (held.traceParent() != null) {
            recordTraceParent(sagaId, held.traceParent());
        }
    }

    public void recordTraceParent(UUID sagaId, String traceParent) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga set trace_parent = ? where id = ? and trace_parent is null")) {
                ps.setString(1, traceParent);
                ps.setObject(2, sagaId);
                return ps.executeUpdate();
            }
        });
    }

    public void insertAttempt(UUID sagaId, AttemptRecord a) {
        send(new AttemptWrite(INSERT_ATTEMPT + " values (?, " + ATTEMPT_VALUES + ")", (ps, from) -> {
            ps.setObject(from, sagaId);
            bindAttempt(ps, from + 1, a);
            return from + 12;
        }));
    }

    /** Records the outcome of an attempt whose intent was committed before. */
    public void finishAttempt(UUID sagaId, AttemptRecord a) {
        send(new AttemptWrite("""
                update saga_step_attempt set outcome = ?, ended_at = ?, error_class = ?, error_message = ?,
                    response = cast(? as jsonb)
                where saga_id = ? and step_name = ? and direction = ? and attempt = ? and outcome = 'PENDING'""", (ps, from) -> {
            ps.setString(from, a.outcome().name());
            ps.setTimestamp(from + 1, Timestamp.from(a.endedAt()));
            ps.setString(from + 2, a.errorClass());
            ps.setString(from + 3, a.errorMessage());
            ps.setString(from + 4, write(a.response()));
            ps.setObject(from + 5, sagaId);
            ps.setString(from + 6, a.stepName());
            ps.setString(from + 7, a.direction().name());
            ps.setInt(from + 8, a.attempt());
            return from + 9;
        }));
    }

    /** A write of an attempt row: its statement, and how it binds its values from a parameter index on (the next one). */
    private record AttemptWrite(String sql, Binder binder) {
    }

    @FunctionalInterface
    private interface Binder {
        int bind(PreparedStatement ps, int from) throws SQLException;
    }

    /** In the engine's own transaction the write waits for the saga's fenced update (see {@link #unsent}); else it goes now. */
    private void send(AttemptWrite write) {
        if (unsent != null) {
            unsent.add(write);
            return;
        }
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement(write.sql())) {
                write.binder().bind(ps, 1);
                return ps.executeUpdate();
            }
        });
    }

    /** What is left unsent when the transaction commits without a fenced update of the saga. */
    private void sendUnsent() throws SQLException {
        if (unsent == null || unsent.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = bound.prepareStatement(withUnsent("select 1"))) {
            bindUnsent(ps);
            ps.execute();
        }
    }

    /** {@code statement}, with the unsent attempt writes as data-modifying CTEs before it: they run whatever it matches. */
    private String withUnsent(String statement) {
        if (unsent == null || unsent.isEmpty()) {
            return statement;
        }
        StringBuilder sql = new StringBuilder("with ");
        for (int i = 0; i < unsent.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append('w').append(i).append(" as (").append(unsent.get(i).sql()).append(')');
        }
        return sql.append(' ').append(statement).toString();
    }

    /** Binds the unsent writes from the first parameter on, and forgets them; returns the next parameter index. */
    private int bindUnsent(PreparedStatement ps) throws SQLException {
        int next = 1;
        if (unsent != null) {
            for (AttemptWrite write : unsent) {
                next = write.binder().bind(ps, next);
            }
            unsent.clear();
        }
        return next;
    }

    /**
     * Takes over up to {@code limit} live sagas nobody holds: their lease expired (the owner died or
     * hangs) or their scheduled retry is due. Rows locked by a busy instance are skipped, so several
     * instances can scan at once and each saga goes to one of them. A paused saga is left alone until it is resumed, and
     * one waiting for its key until the key is handed to it.
     */
    public List<SagaSnapshot> claimDue(String owner, int limit, Duration lease) {
        return work(c -> {
            // a saga taken while it waited for a signal waits no more: its run takes the signal, or waits again
            try (PreparedStatement ps = c.prepareStatement("update saga set owner = ?, version = version + 1, waiting_for = null,"
                    + " wake_at = now() + ? * interval '1 millisecond' where id in (select id from saga"
                    + " where " + StatusSql.LIVE + " and wake_at <= now() and paused_at is null and key_held"
                    + " order by wake_at limit ?"
                    + " for update skip locked) returning " + SAGA_COLUMNS)) {
                ps.setString(1, owner);
                ps.setLong(2, lease.toMillis());
                ps.setInt(3, limit);
                return readSagas(ps);
            }
        });
    }

    /** Extends the leases this instance holds on sagas it is still advancing; returns how many it still holds. */
    public int renewLeases(String owner, Collection<UUID> ids, Duration lease) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga set wake_at = now() + ? * interval '1 millisecond'"
                    + " where owner = ? and id = any(?) and " + StatusSql.LIVE)) {
                ps.setLong(1, lease.toMillis());
                ps.setString(2, owner);
                ps.setArray(3, c.createArrayOf("uuid", ids.toArray()));
                return ps.executeUpdate();
            }
        });
    }

    /** A saga locked for a manual operation, with who holds it, and its pause when it has one (else null). */
    public record Locked(SagaSnapshot saga, String owner, Instant wakeAt, boolean leaseLive, Pause pause) {
    }

    /** Who paused a saga, and since when. */
    public record Pause(String by, Instant since) {
    }

    /** Reads and row-locks a saga until the caller's transaction ends, so operations on it are serialized. */
    public Optional<Locked> lock(UUID id) {
        return withHolder(id, " for update");
    }

    /** Reads a saga and who holds it, as {@link #lock} does, without locking it: for a preview of an operation. */
    public Optional<Locked> peek(UUID id) {
        return withHolder(id, "");
    }

    private Optional<Locked> withHolder(UUID id, String locking) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("select " + SAGA_COLUMNS + ", owner, wake_at,"
                    + " owner is not null and wake_at > now(), paused_by, paused_at from saga where id = ?" + locking)) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    int n = SAGA_COLUMNS.split(",").length;
                    Instant pausedAt = instant(rs, n + 5);
                    return Optional.of(new Locked(saga(rs), rs.getString(n + 1), instant(rs, n + 2), rs.getBoolean(n + 3),
                            pausedAt == null ? null : new Pause(rs.getString(n + 4), pausedAt)));
                }
            }
        });
    }

    /**
     * Pauses a live saga locked by {@link #lock}, in the caller's transaction. The version stays as it is: an owner
     * whose attempt is in flight still commits that attempt's outcome, and its next commit that would begin an attempt
     * ({@link #beginAttempt}) finds the pause instead.
     */
    public void pause(UUID id, String by) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga set paused_at = now(), paused_by = ?, updated_at = now()"
                    + " where id = ? and " + StatusSql.LIVE + " and paused_at is null")) {
                ps.setString(1, by);
                ps.setObject(2, id);
                return requireOne(ps, id);
            }
        });
    }

    /**
     * Lifts the pause of a saga locked by {@link #lock}, in the caller's transaction. A saga nobody advances is due at
     * once (a backoff it was waiting out is cut short: the operator says the cause is gone); one whose owner is still at
     * work goes on with that owner.
     */
    public void resume(UUID id) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga set paused_at = null, paused_by = null, updated_at = now(),"
                    + " wake_at = case when owner is null then now() else wake_at end where id = ? and paused_at is not null")) {
                ps.setObject(1, id);
                return requireOne(ps, id);
            }
        });
    }

    /** The row was locked and checked by the caller: not finding it means the caller broke that contract. */
    private static int requireOne(PreparedStatement ps, UUID id) throws SQLException {
        int n = ps.executeUpdate();
        if (n != 1) {
            throw new IllegalStateException("saga " + id + " changed under its row lock");
        }
        return n;
    }

    /** Closes the intents of a step whose owner is gone: their outcome will never be learned. */
    public int markPendingUnknown(UUID sagaId, String step, Direction direction) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga_step_attempt set outcome = 'UNKNOWN', ended_at = now(),"
                    + " error_class = ?, error_message = ?"
                    + " where saga_id = ? and step_name = ? and direction = ? and outcome = 'PENDING'")) {
                ps.setString(1, AttemptRecord.INTERRUPTED);
                ps.setString(2, AttemptRecord.interruptedWhy());
                ps.setObject(3, sagaId);
                ps.setString(4, step);
                ps.setString(5, direction.name());
                return ps.executeUpdate();
            }
        });
    }

    public Optional<SagaSnapshot> load(UUID id) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("select " + SAGA_COLUMNS + " from saga where id = ?")) {
                ps.setObject(1, id);
                return readSagas(ps).stream().findFirst();
            }
        });
    }

    /** Every attempt of every step of a saga, in the order they were made. */
    public List<AttemptRecord> attempts(UUID sagaId) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("select step_name, direction, attempt, outcome, instance, started_at,"
                    + " ended_at, error_class, error_message, request, response from saga_step_attempt where saga_id = ?"
                    + " order by started_at, direction desc, attempt")) {
                ps.setObject(1, sagaId);
                List<AttemptRecord> attempts = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        attempts.add(new AttemptRecord(rs.getString(1), Direction.valueOf(rs.getString(2)), rs.getInt(3),
                                Outcome.valueOf(rs.getString(4)), rs.getString(5), instant(rs, 6), instant(rs, 7),
                                rs.getString(8), rs.getString(9), read(rs.getString(10)), read(rs.getString(11))));
                    }
                }
                return attempts;
            }
        });
    }

    /**
     * Makes the writes a decision of the core asks for, in the caller's transaction: the one place where a decision
     * becomes writes, whether the engine's run, recovery or an operator took it. A decision to go on ({@link
     * Decision.Continue}) writes nothing here: its owner holds it until its next commit.
     *
     * @param wakeIn for a {@link Decision.Park}: when the saga is due again, as its runner scales and bounds the core's
     *               wish (see {@link io.sagaorchestrator.core.SagaTransitions#wakeNoLaterThanDeadline}); else ignored
     * @return the saga's version after the writes
     * @throws LeaseLostException when the saga is no longer at the version the decision was taken on
     */
    public long carryOut(Decision decision, Duration wakeIn) {
        SagaSnapshot next = decision.next();
        if (decision instanceof Decision.Park) {
            return update(next, null, wakeIn);
        }
        if (decision instanceof Decision.Wait wait) {
            // released, and due when its wait runs out; a signal makes it due at once (saga_signal, V18)
            long version = update(next, null, wakeIn, false, wait.signal());
            dueIfSignalled(next.id(), wait.signal());
            return version;
        }
        if (decision instanceof Decision.End) {
            return update(next, null, null);
        }
        if (decision instanceof Decision.Escalate) {
            long version = update(next, null, null);
            oweAlert(next);
            return version;
        }
        if (decision instanceof Decision.Pause pause) {
            pause(next.id(), pause.by());
            return next.version();
        }
        if (decision instanceof Decision.Resume) {
            resume(next.id());
            return next.version();
        }
        throw new IllegalStateException("nothing to write for " + decision);
    }

    /**
     * Sends a signal to a saga in the caller's transaction, through {@code saga_signal} (V18), the function applications
     * call from theirs: one set of rules for both ways in. The caller has checked the payload against the await's schema.
     *
     * @param sender who sends it, kept with it
     * @return true when it was kept now; false when the same id was sent with the same payload before (nothing changed)
     * @throws SignalRefusedException when the saga will not take it; nothing changed
     */
    public boolean signal(UUID sagaId, String signal, JsonNode payload, String signalId, String sender) {
        return work(c -> {
            try (PreparedStatement named = c.prepareStatement("select set_config('saga.signal_sender', ?, true)")) {
                named.setString(1, sender);
                named.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("select saga_signal(?, ?, cast(? as jsonb), ?)")) {
                ps.setObject(1, sagaId);
                ps.setString(2, signal);
                ps.setString(3, write(payload));
                ps.setString(4, signalId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return "accepted".equals(rs.getString(1));
                }
            } catch (SQLException e) {
                SignalRefusedException.Why why = switch (String.valueOf(e.getSQLState())) {
                    case "P0002" -> SignalRefusedException.Why.NO_SAGA;
                    case "42704" -> SignalRefusedException.Why.NO_SUCH_AWAIT;
                    case "55000" -> SignalRefusedException.Why.NOT_WAITING;
                    case "23505" -> SignalRefusedException.Why.CONFLICT;
                    default -> null;
                };
                if (why == null) {
                    throw e;
                }
                String message = e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                        ? p.getServerErrorMessage().getMessage() : e.getMessage();
                throw new SignalRefusedException(why, message.replaceFirst("^saga_signal: ", ""));
            }
        });
    }

    /**
     * A signal committed after the run looked for one and before this transaction took the saga's row (the update just
     * made) found the saga not waiting yet, so it did not wake it: this transaction sees it, and makes the saga due at once.
     */
    private void dueIfSignalled(UUID sagaId, String signal) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga set wake_at = now() where id = ? and exists (select from"
                    + " saga_signal where saga_id = ? and signal_name = ? and refused is null) returning pg_notify('saga_dispatched', ?)")) {
                ps.setObject(1, sagaId);
                ps.setObject(2, sagaId);
                ps.setString(3, signal);
                ps.setString(4, sagaId.toString());
                ps.execute();
                return null;
            }
        });
    }

    /** The signal kept for the await of {@code signal} of a saga, not refused; empty when none came yet. */
    public Optional<KeptSignal> keptSignal(UUID sagaId, String signal) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("select signal_id, payload, sender, received_at from saga_signal"
                    + " where saga_id = ? and signal_name = ? and refused is null")) {
                ps.setObject(1, sagaId);
                ps.setString(2, signal);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new KeptSignal(signal, rs.getString(1), read(rs.getString(2)), rs.getString(3),
                            instant(rs, 4))) : Optional.empty();
                }
            }
        });
    }

    /** Sets a kept signal aside (its payload does not fit the await): the await waits for another. */
    public void refuseSignal(UUID sagaId, String signalId, String why) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("update saga_signal set refused = ? where saga_id = ? and signal_id = ?")) {
                ps.setString(1, why);
                ps.setObject(2, sagaId);
                ps.setString(3, signalId);
                return ps.executeUpdate();
            }
        });
    }

    /** The signals sent to a saga, in the order they came, refused ones included. */
    public List<KeptSignal> signals(UUID sagaId) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("select signal_name, signal_id, payload, sender, received_at"
                    + " from saga_signal where saga_id = ? order by received_at, signal_id")) {
                ps.setObject(1, sagaId);
                List<KeptSignal> signals = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        signals.add(new KeptSignal(rs.getString(1), rs.getString(2), read(rs.getString(3)), rs.getString(4),
                                instant(rs, 5)));
                    }
                }
                return signals;
            }
        });
    }

    /**
     * Owes the webhook an alert for an escalation, in the transaction that records it, so that no crash can lose it:
     * {@code EscalationWebhook} delivers it until the receiver accepts it. Without a webhook URL, the ERROR log line and
     * the metric are the alert.
     */
    private void oweAlert(SagaSnapshot escalated) {
        if (escalation.webhookUrl().isEmpty()) {
            return;
        }
        UUID alertId = UuidCreator.getTimeOrderedEpoch();
        ObjectNode alert = json.createObjectNode()
                .put("alertId", alertId.toString())
                .put("sagaId", escalated.id().toString())
                .put("definition", escalated.definitionName())
                .put("status", escalated.status().name())
                .put("businessKey", escalated.businessKey())
                .put("reason", escalated.lastError())
                .put("at", Instant.now().toString());
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into escalation_alert (id, saga_id, body) values (?, ?, ?)")) {
                ps.setObject(1, alertId);
                ps.setObject(2, escalated.id());
                ps.setString(3, alert.toString());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Takes up to {@code limit} alerts due for delivery, counting the attempt and pushing their next
     * attempt {@code lease} out, so no other instance sends them meanwhile; rows another instance is
     * claiming are skipped. If this instance dies while sending, the alert is due again after the lease.
     */
    public List<EscalationAlert> claimDueAlerts(int limit, Duration lease) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update escalation_alert set attempts = attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond'
                    where id in (select id from escalation_alert where next_attempt_at <= now() order by next_attempt_at limit ?
                                 for update skip locked)
                    returning id, saga_id, body, attempts, created_at""")) {
                ps.setLong(1, lease.toMillis());
                ps.setInt(2, limit);
                List<EscalationAlert> alerts = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        alerts.add(new EscalationAlert(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                                rs.getInt(4), instant(rs, 5)));
                    }
                }
                return alerts;
            }
        });
    }

    /** The alert is settled: delivered, or given up on. */
    public void deleteAlert(UUID id) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("delete from escalation_alert where id = ?")) {
                ps.setObject(1, id);
                return ps.executeUpdate();
            }
        });
    }

    /** The receiver did not accept the alert: try again in {@code retryIn}. */
    public void alertFailed(UUID id, String error, Duration retryIn) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    update escalation_alert set last_error = ?, next_attempt_at = now() + ? * interval '1 millisecond'
                    where id = ?""")) {
                ps.setString(1, error);
                ps.setLong(2, retryIn.toMillis());
                ps.setObject(3, id);
                return ps.executeUpdate();
            }
        });
    }

    private List<SagaSnapshot> readSagas(PreparedStatement ps) throws SQLException {
        List<SagaSnapshot> sagas = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sagas.add(saga(rs));
            }
        }
        return sagas;
    }

    private SagaSnapshot saga(ResultSet rs) throws SQLException {
        return new SagaSnapshot(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3), rs.getString(4),
                SagaStatus.valueOf(rs.getString(5)), rs.getString(6), read(rs.getString(7)), read(rs.getString(8)),
                rs.getInt(9), rs.getInt(10), rs.getInt(11), readStepStates(rs.getString(12)), rs.getLong(13),
                rs.getString(14), instant(rs, 15), rs.getString(16), instant(rs, 17), instant(rs, 18));
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private <T> T work(ReturningWork<T> work) {
        if (bound == null) {
            return em.unwrap(Session.class).doReturningWork(work);
        }
        try {
            return work.execute(bound);
        } catch (SQLException e) {
            throw new SagaLogUnavailableException(e);
        }
    }

    private String write(Object value) {
        return texts().write(value);
    }

    private LogJson texts() {
        return written != null ? written : new LogJson(json);
    }

    private JsonNode read(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the saga log holds malformed JSON", e);
        }
    }

    private Map<String, StepState> readStepStates(String text) {
        try {
            return json.readValue(text, STEP_STATES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the saga log holds malformed step states", e);
        }
    }
}
