package io.sagaorchestrator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.definitions.DefinitionLookup;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.Group;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import io.sagaorchestrator.telemetry.SagaTracing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Reads the saga log for people: one saga with its whole history, or a page of sagas. */
@ApplicationScoped
public class SagaQueries {

    private static final String SUMMARY_COLUMNS = "id, definition_name, definition_version, status, business_key, last_error,"
            + " created_at, updated_at, owner, wake_at, attempt - budget_base, paused_at, paused_by, waiting_for";
    /**
     * Live, and its current step has failed: waiting for a scheduled retry, or on its second attempt or later. A saga
     * released to wait for a signal waits on purpose, and is not retrying.
     */
    static final String RETRYING = "(" + StatusSql.LIVE + " and waiting_for is null and (owner is null or attempt - budget_base >= 2))";

    /**
     * The times a filter may name. The log holds nothing from before 1970, and a year past 9999 overflows
     * {@code java.sql.Timestamp} or PostgreSQL's timestamptz; the written form of an instant needs a sign past it anyway.
     */
    public static final Instant EARLIEST = Instant.EPOCH;
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** A shorter text has no trigram, so no index can find it: every saga with an error would be read. */
    static final int MIN_ERROR_TEXT = 3;

    private final ReadConnections reads;
    private final ObjectMapper json;
    private final DefinitionLookup definitions;
    private final AuditTrail audit;
    private final Duration statsMaxAge;
    private volatile SagaViews.Stats cachedStats;

    SagaQueries(ReadConnections reads, ObjectMapper json, DefinitionLookup definitions, AuditTrail audit,
                @ConfigProperty(name = "saga.stats.max-age", defaultValue = "5s") Duration statsMaxAge) {
        this.reads = reads;
        this.json = json;
        this.definitions = definitions;
        this.audit = audit;
        this.statsMaxAge = statsMaxAge;
    }

    public Optional<SagaViews.Detail> detail(UUID id) {
        SagaViews.Detail saga;
        try (Connection c = reads.open()) {
            SagaDefinition definition;
            try (PreparedStatement ps = c.prepareStatement("select " + SUMMARY_COLUMNS
                    + ", definition_hash, input, result, step_states, trace_parent, least(deadline_at, step_deadline_at)"
                    + " from saga where id = ?")) {
                // columns after the summary's 14: 15 hash, 16 input, 17 result, 18 step states, 19 trace parent, 20 deadline
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    SagaViews.Summary s = summary(rs);
                    definition = readableDefinition(s, rs.getString(15));
                    JsonNode states = read(rs.getString(18));
                    saga = new SagaViews.Detail(s.sagaId(), s.definition(), s.definitionVersion(), rs.getString(15), s.status(),
                            s.businessKey(), read(rs.getString(16)), read(rs.getString(17)), s.lastError(), s.createdAt(),
                            s.updatedAt(), s.owner(), s.leaseExpiresAt(), s.nextAttemptAt(), s.attempts(), s.retrying(),
                            s.paused(), s.pausedAt(), s.pausedBy(),
                            SagaTracing.traceId(rs.getString(19)), steps(c, id, definition, states), List.of(),
                            rs.getTimestamp(20) == null ? null : rs.getTimestamp(20).toInstant(), s.waitingFor());
                }
            }
        } catch (SQLException e) {
            throw reads.failure("cannot read saga " + id, e);
        }
        // read with a connection of its own, after this one is back in the pool: holding one read connection while
        // waiting for another would let a few concurrent detail reads wait on each other until they time out
        return Optional.of(saga.withOperations(audit.search(new AuditTrail.Filter(id, null, null, null, null), 1000)));
    }

    /**
     * The saga's detail, or a not-found that says so when retention deleted the saga but its audit
     * entries remain.
     */
    public SagaViews.Detail require(UUID id) {
        return detail(id).orElseThrow(() -> new SagaNotFoundException(id,
                !audit.search(new AuditTrail.Filter(id, null, null, null, null), 1).isEmpty()));
    }

    private List<SagaViews.Step> steps(Connection c, UUID id, SagaDefinition definition, JsonNode states) throws SQLException {
        Map<String, List<SagaViews.Attempt>> byStep = new LinkedHashMap<>();
        if (definition != null) {
            definition.steps().forEach(s -> byStep.put(s.name(), new ArrayList<>()));
        }
        try (PreparedStatement ps = c.prepareStatement("select step_name, direction, attempt, outcome, instance, started_at, ended_at,"
                + " error_class, error_message, request, response from saga_step_attempt where saga_id = ?"
                + " order by started_at, attempt")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byStep.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new SagaViews.Attempt(rs.getString(2),
                            rs.getInt(3), rs.getString(4), rs.getString(5), instant(rs, 6), instant(rs, 7), rs.getString(8),
                            rs.getString(9), read(rs.getString(10)), read(rs.getString(11))));
                }
            }
        }
        List<SagaViews.Step> steps = new ArrayList<>();
        for (String name : byStep.keySet()) {
            int index = definition == null ? -1 : definition.steps().stream().map(StepDefinition::name).toList().indexOf(name);
            StepDefinition d = index < 0 ? null : definition.step(index);
            Group group = index < 0 ? null : definition.groupAt(index);
            JsonNode state = states.path(name);
            steps.add(new SagaViews.Step(name, d == null ? null : d.kind().name().toLowerCase(Locale.ROOT), d == null ? null : d.action(),
                    d == null ? null : d.compensation(),
                    state.path("effect").isTextual() ? state.get("effect").asText() : null,
                    state.path("output").isMissingNode() || state.path("output").isNull() ? null : state.get("output"),
                    byStep.get(name), SagaViews.CompensationCheckView.of(d != null && d.verify() != null, byStep.get(name)),
                    group == null ? null : group.name()));
        }
        return steps;
    }

    /** The saga's definition, or null when this release cannot read it: the log is shown anyway, from its attempts. */
    private SagaDefinition readableDefinition(SagaViews.Summary saga, String hash) {
        try {
            return definitions.forSaga(saga.definition(), saga.definitionVersion(), hash);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The sagas waiting for a signal (the console's inbox), longest waiting first: at most {@code limit}, each with the
     * signal it waits for; those of {@code signals} only when it is not null.
     */
    public List<SagaViews.Summary> waitingForSignal(int limit) {
        try (Connection c = reads.open(); PreparedStatement ps = c.prepareStatement("select " + SUMMARY_COLUMNS
                + " from saga where waiting_for is not null and " + StatusSql.LIVE + " order by updated_at limit ?")) {
            ps.setInt(1, limit);
            List<SagaViews.Summary> waiting = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    waiting.add(summary(rs));
                }
            }
            return waiting;
        } catch (SQLException e) {
            throw reads.failure("cannot list the sagas waiting for a signal", e);
        }
    }

    /** What to list; null members do not filter. */
    public record Filter(Set<SagaStatus> statuses, String definition, String businessKey, Instant createdFrom,
                         Instant createdTo, Instant updatedFrom, Instant updatedTo, String errorText, Duration stuckFor,
                         Integer minAttempts, Boolean retrying, Boolean paused) {
        public Filter {
            if (errorText != null && errorText.strip().length() < MIN_ERROR_TEXT) {
                throw new InvalidParameterException("error", "'" + errorText + "' is too short: search for at least " + MIN_ERROR_TEXT
                        + " characters of the error text");
            }
        }
    }

    /** A statement and its parameters, in order. */
    record Sql(String text, List<Object> params) {
    }

    /**
     * Sagas newest first, filtered; {@code cursor} continues after the last saga of the previous page,
     * so pages stay stable while new sagas arrive.
     */
    public SagaViews.Page list(Filter f, String cursor, int limit) {
        Sql sql = listSql(f, cursor, limit);
        try (Connection c = reads.open(); PreparedStatement ps = c.prepareStatement(sql.text())) {
            bind(ps, sql.params());
            List<SagaViews.Summary> items = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(summary(rs));
                }
            }
            String next = null;
            if (items.size() > limit) {
                items = items.subList(0, limit);
                SagaViews.Summary last = items.get(limit - 1);
                next = new Cursor(last.createdAt(), last.sagaId()).encode();
            }
            return new SagaViews.Page(items, next);
        } catch (SQLException e) {
            throw reads.failure("cannot list sagas", e);
        }
    }

    /** The page's statement; {@code last_error ilike} is answered by the trigram index of ended sagas (V19) and the live sagas' index. */
    static Sql listSql(Filter f, String cursor, int limit) {
        StringBuilder sql = new StringBuilder("select " + SUMMARY_COLUMNS + " from saga where true");
        List<Object> params = new ArrayList<>();
        if (f.statuses() != null && !f.statuses().isEmpty()) {
            // written out, not bound: the statuses are sorted over partial indexes (V15), and only a plan that sees the
            // values can tell which one holds them; the names are the enum's own, so nothing from the request is spliced
            sql.append(f.statuses().stream().map(s -> "'" + s.name() + "'").sorted()
                    .collect(java.util.stream.Collectors.joining(", ", " and status in (", ")")));
        }
        condition(sql, params, " and definition_name = ?", f.definition());
        if (f.businessKey() != null) {
            // a union rather than an "or": each half is answered by its own index (saga_business_key_idx, and
            // saga_search_value_idx for the values of the fields a definition declares under search:)
            sql.append(" and id in (select id from saga where business_key = ? union all select saga_id from saga_search where value = ?)");
            params.add(f.businessKey());
            params.add(f.businessKey());
        }
        condition(sql, params, " and created_at >= ?", timestamp(f.createdFrom()));
        condition(sql, params, " and created_at < ?", timestamp(f.createdTo()));
        condition(sql, params, " and updated_at >= ?", timestamp(f.updatedFrom()));
        condition(sql, params, " and updated_at < ?", timestamp(f.updatedTo()));
        if (f.errorText() != null) {
            // the trigram index holds the ended sagas only (V19): each half of the "or" is answered by its own index
            String pattern = "%" + f.errorText().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            sql.append(" and ((" + StatusSql.ENDED + " and last_error ilike ? escape '\\')"
                    + " or (" + StatusSql.LIVE + " and last_error ilike ? escape '\\'))");
            params.add(pattern);
            params.add(pattern);
        }
        if (f.stuckFor() != null) {
            sql.append(" and " + StatusSql.LIVE + " and updated_at < now() - ? * interval '1 millisecond'");
            params.add(f.stuckFor().toMillis());
        }
        if (f.minAttempts() != null) {
            sql.append(" and " + StatusSql.LIVE + " and attempt - budget_base >= ?");
            params.add(f.minAttempts());
        }
        if (f.retrying() != null) {
            sql.append(f.retrying() ? " and " : " and not ").append(RETRYING);
        }
        if (f.paused() != null) {
            // only live sagas carry a pause: ending or escalating drops it
            sql.append(f.paused() ? " and paused_at is not null" : " and paused_at is null");
        }
        if (cursor != null) {
            Cursor after = Cursor.decode(cursor);
            sql.append(" and (created_at, id) < (?, ?)");
            params.add(Timestamp.from(after.createdAt()));
            params.add(after.id());
        }
        sql.append(" order by created_at desc, id desc limit ?");
        params.add(limit + 1);
        return new Sql(sql.toString(), params);
    }

    /**
     * Counts by status and definition, and the oldest saga still going. Counting a large history
     * takes a while, so the answer is reused for {@code saga.stats.max-age}; {@code asOf} says when it was counted.
     */
    public SagaViews.Stats stats() {
        SagaViews.Stats last = cachedStats;
        if (last != null && last.asOf().isAfter(Instant.now().minus(statsMaxAge))) {
            return last;
        }
        synchronized (this) {
            if (cachedStats == last) {
                cachedStats = countStats();
            }
            return cachedStats;
        }
    }

    private SagaViews.Stats countStats() {
        Instant asOf = Instant.now();
        try (Connection c = reads.open()) {
            Map<String, Map<String, Long>> byDefinition = new java.util.TreeMap<>();
            Map<String, Long> byStatus = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("select definition_name, status, count(*) from saga group by 1, 2");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byDefinition.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2), rs.getLong(3));
                    byStatus.merge(rs.getString(2), rs.getLong(3), Long::sum);
                }
            }
            SagaViews.Summary oldest = null;
            try (PreparedStatement ps = c.prepareStatement("select " + SUMMARY_COLUMNS + " from saga"
                    + " where " + StatusSql.LIVE + " order by created_at limit 1"); ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    oldest = summary(rs);
                }
            }
            long retrying;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from saga where " + RETRYING); ResultSet rs = ps.executeQuery()) {
                rs.next();
                retrying = rs.getLong(1);
            }
            long paused;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from saga where paused_at is not null");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                paused = rs.getLong(1);
            }
            long waiting;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from saga where waiting_for is not null and "
                    + StatusSql.LIVE); ResultSet rs = ps.executeQuery()) {
                rs.next();
                waiting = rs.getLong(1);
            }
            return new SagaViews.Stats(asOf, byStatus, byDefinition, retrying, paused, oldest,
                    oldest == null ? null : Duration.between(oldest.createdAt(), asOf).toSeconds(), waiting);
        } catch (SQLException e) {
            throw reads.failure("cannot count sagas", e);
        }
    }

    private static void condition(StringBuilder sql, List<Object> params, String clause, Object value) {
        if (value != null) {
            sql.append(clause);
            params.add(value);
        }
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    private static SagaViews.Summary summary(ResultSet rs) throws SQLException {
        String owner = rs.getString(9);
        Instant wake = instant(rs, 10);
        SagaStatus status = SagaStatus.valueOf(rs.getString(4));
        boolean live = !status.isTerminal();
        int attempts = rs.getInt(11);
        Instant pausedAt = instant(rs, 12);
        String waitingFor = rs.getString(14);
        return new SagaViews.Summary(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3), status.name(), rs.getString(5),
                rs.getString(6), instant(rs, 7), instant(rs, 8), owner,
                live && owner != null ? wake : null, live && owner == null && pausedAt == null ? wake : null,
                live ? attempts : null, live && waitingFor == null && (owner == null || attempts >= 2), pausedAt != null, pausedAt,
                rs.getString(13), live ? waitingFor : null);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private JsonNode read(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the saga log holds malformed JSON", e);
        }
    }

    /** Where a page ends, opaque to clients. */
    record Cursor(Instant createdAt, UUID id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((createdAt.toString() + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String text) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|");
                Instant createdAt = Instant.parse(parts[0]);
                if (createdAt.isBefore(EARLIEST) || createdAt.isAfter(LATEST)) {
                    throw new IllegalArgumentException("no saga of the log was created then");
                }
                return new Cursor(createdAt, UUID.fromString(parts[1]));
            } catch (RuntimeException e) {
                throw new InvalidCursorException(text);
            }
        }
    }
}
