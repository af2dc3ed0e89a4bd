package io.sagaorchestrator.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The consistency promise, checked after convergence from both sides: the saga log and business
 * tables in PostgreSQL, and the TT double's own record of what it did. Reads only; every finding
 * is a violation with the saga or user it concerns.
 *
 * <ul>
 * <li>every request a client got accepted is exactly one saga, and no saga is still live;</li>
 * <li>no orphan: every user TT has (other than the seeded, pre-existing ones) has exactly one
 * {@code liaison_info} row with its username and id, unless its saga is ESCALATED;</li>
 * <li>no dangling row: every {@code liaison_info} row names a user TT has, with that username;</li>
 * <li>no duplicate: no username was created in TT more than once;</li>
 * <li>each saga's end agrees with both sides (COMPLETED: row and user; COMPENSATED: neither,
 * except a pre-existing user left in place; ESCALATED: a reason);</li>
 * <li>each saga's history is a valid saga execution (Garcia-Molina &amp; Salem): forward steps
 * T1..Tn all succeeded, or T1..Tj then the compensations Cj..C1 in reverse order, retries
 * aside; no step succeeded twice; no intent left without an outcome;</li>
 * <li>no seeded, pre-existing user was deleted.</li>
 * </ul>
 *
 * <p>A step's {@code onUncertainOwnership} may choose to leave a user behind or to delete one that may be somebody
 * else's; only a choice the saga recorded (its undo's output names the user and says its ownership was UNCERTAIN)
 * excuses a user left by a COMPENSATED saga ({@code keep}) or a pre-existing user deleted ({@code compensate}). Both are
 * counted in the report: they are the price of the choice, not faults of the engine.
 *
 * <p>For user-sync-outbox sagas (liaison saved PENDING first, TT called after that commit, then
 * linked): a COMPLETED saga's row is SYNCED; a REJECTED row (no TT id) is allowed only for a
 * COMPENSATED saga, whose username then has no live TT user (other than a seeded one); no row is
 * PENDING once every saga is terminal; and the history follows the three-step definition.
 */
final class ConsistencyChecks {

    /** The user-sync definition's steps, in order. */
    static final List<String> STEPS = List.of("tt-add-user", "save-liaison");
    /** The remote steps of every definition checked here: only they can take effect without the saga learning it. */
    static final Set<String> REMOTE_STEPS = Set.of("tt-add-user", "reserve-stock", "charge-payment", "book-shipment");
    /** The user-sync-outbox definition's steps, in order; tt-add-user (an outbox step) is its remote one. */
    static final String OUTBOX = "user-sync-outbox";
    static final List<String> OUTBOX_STEPS = List.of("save-liaison", "tt-add-user", "link-liaison");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the checks found. */
    record Report(int sagas, int completed, int compensated, int escalated, int escalatedUncertain, int orphans,
                  int dangling, int duplicates, int nonTerminal, int seededDeleted, int invalidHistories,
                  List<String> violations, int keptOnPurpose, int seededDeletedOnPurpose, int uncertainOwnershipUndone) {
    }

    record Saga(String id, String status, String key, String username, JsonNode result, String lastError, String definition) {
        /** A user-sync saga. */
        Saga(String id, String status, String key, String username, JsonNode result, String lastError) {
            this(id, status, key, username, result, lastError, "user-sync");
        }

        boolean outbox() {
            return OUTBOX.equals(definition);
        }

        List<String> steps() {
            return switch (definition) {
                case OUTBOX -> OUTBOX_STEPS;
                case OrderCheckoutChecks.DEFINITION, OrderCheckoutChecks.APPROVAL -> OrderCheckoutChecks.STEPS;
                case OrderCheckoutChecks.FULFILMENT -> OrderCheckoutChecks.FULFILMENT_STEPS;
                default -> STEPS;
            };
        }

        /**
         * The first step of the parallel group step {@code i} is a branch of, or {@code i} when it is none: the branches
         * from there begin together, and the step after them begins only when all of them have succeeded.
         */
        int groupStart(int i) {
            return definition.equals(OrderCheckoutChecks.FULFILMENT) ? 0 : i;
        }

        /**
         * Steps {@code i} and {@code j} are branches of one group undone side by side ({@code compensation: parallel}):
         * their undos may interleave, and one that gives up does not stop the other's.
         */
        boolean undoneTogether(int i, int j) {
            return definition.equals(OrderCheckoutChecks.FULFILMENT) && groupStart(i) == groupStart(j);
        }
    }

    record Attempt(String step, String direction, int attempt, String outcome, String instance, Instant startedAt) {
        boolean forward() {
            return direction.equals("FORWARD");
        }

        /** A check that the step's compensation really undid (verify:), made after the compensation succeeded. */
        boolean check() {
            return direction.equals("VERIFY");
        }

        @Override
        public String toString() {
            return (forward() ? "T:" : check() ? "V:" : "C:") + step + "#" + attempt + "=" + outcome + "@" + instance;
        }
    }

    record Liaison(long id, String username, String remoteUserId, String syncStatus) {
    }

    private ConsistencyChecks() {
    }

    /**
     * @param accepted the saga id each client request (by idempotency key) was answered with
     */
    static Report run(SuiteDatabase.Schema schema, TtDouble tt, Map<String, String> accepted) throws SQLException {
        List<String> violations = new ArrayList<>();
        Map<String, Saga> sagas;
        Map<String, List<Attempt>> attempts;
        Map<String, Liaison> liaisonsByUsername = new HashMap<>();
        Map<Long, String> linkedSaga = new HashMap<>();
        Map<String, JsonNode> uncertainUndos;
        try (Connection c = schema.connect()) {
            sagas = sagas(c);
            attempts = attempts(c);
            uncertainUndos = uncertainOwnershipUndos(c);
            try (PreparedStatement ps = c.prepareStatement("select id, username, remote_user_id, sync_status from liaison_info");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Liaison l = new Liaison(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
                    if (liaisonsByUsername.put(l.username(), l) != null) {
                        violations.add("two liaison_info rows for username " + l.username());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select liaison_id, saga_id from lz_liaison"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    linkedSaga.put(rs.getLong(1), rs.getString(2));
                }
            }
        }

        checkOneSagaPerRequest(sagas, accepted, violations);

        Map<String, TtDouble.User> live = tt.liveUsersById();
        Map<String, TtDouble.User> liveByUsername = new HashMap<>();
        live.values().forEach(u -> liveByUsername.put(u.username(), u));
        Map<String, Saga> sagaByUsername = new HashMap<>();
        sagas.values().forEach(s -> sagaByUsername.put(s.username(), s));

        int completed = 0, compensated = 0, escalated = 0, uncertain = 0, nonTerminal = 0, invalid = 0, keptOnPurpose = 0;
        for (Saga s : sagas.values()) {
            Liaison row = liaisonsByUsername.get(s.username());
            TtDouble.User user = liveByUsername.get(s.username());
            switch (s.status()) {
                case "COMPLETED" -> {
                    completed++;
                    String remoteId = s.result() == null ? null : s.result().path("remoteUserId").asText(null);
                    if (row == null || row.remoteUserId() == null || !row.remoteUserId().equals(remoteId)
                            || !"SYNCED".equals(row.syncStatus())) {
                        violations.add("COMPLETED saga " + s.id() + " (" + s.username() + ", TT id " + remoteId + ") has liaison row " + row);
                    } else if (!s.id().equals(linkedSaga.get(row.id()))) {
                        violations.add("COMPLETED saga " + s.id() + ": its liaison row is linked to saga " + linkedSaga.get(row.id()));
                    }
                    if (user == null || !user.id().equals(remoteId)) {
                        violations.add("COMPLETED saga " + s.id() + " (" + s.username() + ", TT id " + remoteId + "): TT has " + user);
                    }
                }
                case "COMPENSATED" -> {
                    compensated++;
                    boolean keptRejected = s.outbox() && row != null && "REJECTED".equals(row.syncStatus()) && row.remoteUserId() == null;
                    if (row != null && !keptRejected) {
                        violations.add("COMPENSATED saga " + s.id() + " (" + s.username() + ") left liaison row " + row);
                    }
                    boolean saved = attempts.getOrDefault(s.id(), List.of()).stream()
                            .anyMatch(a -> a.forward() && a.step().equals("save-liaison") && a.outcome().equals("SUCCEEDED"));
                    if (s.outbox() && saved && !keptRejected) {
                        violations.add("COMPENSATED outbox saga " + s.id() + " (" + s.username() + ") saved its liaison but did not keep it"
                                + " as REJECTED: " + row);
                    }
                    if (user != null && !tt.isSeeded(user.id()) && keptOnPurpose(uncertainUndos.get(s.id()), user)) {
                        keptOnPurpose++;
                    } else if (user != null && !tt.isSeeded(user.id())) {
                        violations.add("COMPENSATED saga " + s.id() + " (" + s.username() + ") left TT user " + user.id());
                    }
                }
                case "ESCALATED" -> {
                    escalated++;
                    if (s.lastError() == null || s.lastError().isBlank()) {
                        violations.add("ESCALATED saga " + s.id() + " does not say why");
                    } else if (s.lastError().contains("cannot be told whether this saga created it")) {
                        uncertain++;
                    }
                }
                default -> {
                    nonTerminal++;
                    violations.add("saga " + s.id() + " (" + s.username() + ") is still " + s.status());
                }
            }
            if (!checkHistory(s, attempts, violations)) {
                invalid++;
            }
        }

        // TT -> local: no orphan
        int orphans = 0;
        for (TtDouble.User user : live.values()) {
            if (tt.isSeeded(user.id())) {
                continue; // somebody else's user; a saga may adopt it (EXISTS) or leave it, never delete it
            }
            Liaison row = liaisonsByUsername.get(user.username());
            if (row == null || !user.id().equals(row.remoteUserId())) {
                Saga s = sagaByUsername.get(user.username());
                boolean kept = s != null && s.status().equals("COMPENSATED") && keptOnPurpose(uncertainUndos.get(s.id()), user);
                if (!kept && (s == null || !s.status().equals("ESCALATED"))) {
                    orphans++;
                    violations.add("orphan: TT user " + user.id() + " (" + user.username() + ") has liaison row " + row + ", saga "
                            + (s == null ? "none" : s.id() + " " + s.status()));
                }
            }
        }
        // local -> TT: no dangling row
        int dangling = 0;
        for (Liaison row : liaisonsByUsername.values()) {
            if (!"SYNCED".equals(row.syncStatus())) {
                // an outbox saga's row before or without its TT user: only REJECTED, without an id, by a COMPENSATED saga
                Saga s = sagaByUsername.get(row.username());
                String saga = s == null ? "none" : s.id() + " " + s.definition() + " " + s.status();
                if ("PENDING".equals(row.syncStatus()) && s != null && s.status().equals("ESCALATED")) {
                    // escalated while undoing its TT user: the saga says why, and a person finishes the repair
                    continue;
                }
                if ("PENDING".equals(row.syncStatus())) {
                    dangling++;
                    violations.add("liaison row " + row + " is still PENDING with every saga terminal; saga " + saga);
                } else if (!"REJECTED".equals(row.syncStatus()) || row.remoteUserId() != null || s == null || !s.outbox()
                        || !s.status().equals("COMPENSATED")) {
                    dangling++;
                    violations.add("liaison row " + row + " is not SYNCED, saga " + saga);
                }
                continue;
            }
            TtDouble.User user = row.remoteUserId() == null ? null : live.get(row.remoteUserId());
            if (user == null || !user.username().equals(row.username())) {
                dangling++;
                violations.add("liaison row " + row + " names TT user " + row.remoteUserId() + ", TT has " + user);
            }
        }
        // no username created twice
        int duplicates = 0;
        for (Map.Entry<String, Integer> e : tt.creations().entrySet()) {
            if (e.getValue() > 1) {
                duplicates++;
                violations.add("username " + e.getKey() + " was created in TT " + e.getValue() + " times");
            }
        }
        // nobody else's user deleted
        int seededDeleted = 0;
        int seededDeletedOnPurpose = 0;
        for (TtDouble.Deletion d : tt.deletions()) {
            Saga deleter = sagaByUsername.get(d.username());
            JsonNode undo = deleter == null ? null : uncertainUndos.get(deleter.id());
            if (d.seeded() && undo != null && d.id().equals(undo.path("deleted").asText(null))) {
                seededDeletedOnPurpose++;
            } else if (d.seeded()) {
                seededDeleted++;
                violations.add("pre-existing TT user " + d.id() + " (" + d.username() + ") was deleted by saga "
                        + sagaByUsername.getOrDefault(d.username(), null));
            }
        }
        return new Report(sagas.size(), completed, compensated, escalated, uncertain, orphans, dangling, duplicates, nonTerminal,
                seededDeleted, invalid, violations, keptOnPurpose, seededDeletedOnPurpose, uncertainUndos.size());
    }

    /** A COMPENSATED saga's undo left this user in place on purpose: it said so, naming it, as {@code keep} does. */
    private static boolean keptOnPurpose(JsonNode undo, TtDouble.User user) {
        return undo != null && user.id().equals(undo.path("kept").asText(null));
    }

    /** What the successful undo of tt-add-user answered, by saga id, where it met a user of uncertain ownership. */
    static Map<String, JsonNode> uncertainOwnershipUndos(Connection c) throws SQLException {
        Map<String, JsonNode> undos = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select saga_id, response from saga_step_attempt where step_name = 'tt-add-user'"
                + " and direction = 'COMPENSATION' and outcome = 'SUCCEEDED' and response->>'ownership' = 'UNCERTAIN'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                undos.put(rs.getString(1), read(rs.getString(2)));
            }
        }
        return undos;
    }

    /** Every saga in the log, oldest first, by id. */
    static Map<String, Saga> sagas(Connection c) throws SQLException {
        Map<String, Saga> sagas = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select id, status, idempotency_key, input->>'username', result, last_error,"
                + " definition_name from saga order by created_at"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String result = rs.getString(5);
                sagas.put(rs.getString(1), new Saga(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        result == null ? null : read(result), rs.getString(6), rs.getString(7)));
            }
        }
        return sagas;
    }

    /** Every step attempt in the log, by saga id, in the order they started. */
    static Map<String, List<Attempt>> attempts(Connection c) throws SQLException {
        Map<String, List<Attempt>> attempts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select saga_id, step_name, direction, attempt, outcome, instance, started_at"
                + " from saga_step_attempt order by saga_id, started_at, direction desc, attempt"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp started = rs.getTimestamp(7);
                attempts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Attempt(rs.getString(2), rs.getString(3),
                        rs.getInt(4), rs.getString(5), rs.getString(6), started.toInstant()));
            }
        }
        return attempts;
    }

    /** Every accepted request is one saga, and every saga was asked for: a second saga for a request is a duplicate. */
    static void checkOneSagaPerRequest(Map<String, Saga> sagas, Map<String, String> accepted, List<String> violations) {
        Map<String, Saga> byKey = new HashMap<>();
        for (Saga s : sagas.values()) {
            if (s.key() == null || byKey.put(s.key(), s) != null) {
                violations.add("saga " + s.id() + " has no idempotency key of its own: " + s.key());
            }
        }
        accepted.forEach((key, sagaId) -> {
            Saga s = byKey.get(key);
            if (s == null || !s.id().equals(sagaId)) {
                violations.add("request " + key + " was answered with saga " + sagaId + ", the log has " + (s == null ? "none" : s.id()));
            }
        });
        if (sagas.size() != accepted.size()) {
            violations.add(sagas.size() + " sagas in the log for " + accepted.size() + " accepted requests");
        }
    }

    /** Adds what makes the saga's history invalid to {@code violations}; whether it was valid. */
    static boolean checkHistory(Saga s, Map<String, List<Attempt>> attempts, List<String> violations) {
        List<Attempt> own = attempts.getOrDefault(s.id(), List.of());
        List<String> historyViolations = history(s, own);
        historyViolations.forEach(v -> violations.add("saga " + s.id() + " (" + s.status() + "): " + v + "; history " + own));
        return historyViolations.isEmpty();
    }

    /**
     * Whether one saga's attempts, in the order they started, are a valid saga execution: forward
     * steps in order, each begun only after the ones before succeeded (the branches of a parallel group side by side,
     * in any order, once the steps before the group succeeded); then, if the saga did not
     * complete, compensations in reverse order over exactly the steps that took effect or may have
     * (a remote step whose outcome was unknown), each begun only after the one after it was undone (the branches of a
     * group undone side by side, in any order, before the steps ahead of the group).
     */
    static List<String> history(Saga saga, List<Attempt> attempts) {
        List<String> v = new ArrayList<>();
        List<String> steps = saga.steps();
        int n = steps.size();
        boolean[] forwardSucceeded = new boolean[n];
        boolean[] mayHaveEffect = new boolean[n];
        boolean[] compensationTried = new boolean[n];
        boolean[] compensated = new boolean[n];
        // the step's last check found the undo had not taken (drift): a retry makes the compensation again
        boolean[] checkFailed = new boolean[n];
        Set<String> attemptNumbers = new HashSet<>();
        int lastForward = -1;
        int lastCompensation = Integer.MAX_VALUE;
        boolean compensating = false;
        for (Attempt a : attempts) {
            int i = steps.indexOf(a.step());
            if (i < 0) {
                v.add("attempt of an unknown step " + a);
                continue;
            }
            if (!attemptNumbers.add(a.direction() + a.step() + a.attempt())) {
                v.add("attempt number used twice: " + a);
            }
            if (a.outcome().equals("PENDING") && isTerminal(saga.status())) {
                v.add("an intent without an outcome in a terminal saga: " + a);
            }
            if (a.check()) {
                // a check reads only: it belongs right after its step's compensation succeeded, before any earlier undo
                if (!compensated[i]) {
                    v.add("check " + a + " before the step's compensation succeeded");
                }
                if (i != lastCompensation) {
                    v.add("check " + a + " after another step's compensation had begun");
                }
                checkFailed[i] = !a.outcome().equals("SUCCEEDED");
                continue;
            }
            if (a.forward()) {
                if (compensating) {
                    v.add("forward attempt " + a + " after compensation began");
                }
                if (i < lastForward && saga.groupStart(i) != saga.groupStart(lastForward)) {
                    v.add("forward attempt " + a + " after a later step had begun");
                } else if (i > lastForward) {
                    for (int before = 0; before < saga.groupStart(i); before++) {
                        if (!forwardSucceeded[before]) {
                            v.add("step " + a.step() + " began before step " + steps.get(before) + " succeeded");
                        }
                    }
                }
                if (forwardSucceeded[i]) {
                    v.add("forward attempt " + a + " after the step had already succeeded (executed twice)");
                }
                lastForward = Math.max(lastForward, i);
                if (a.outcome().equals("SUCCEEDED")) {
                    forwardSucceeded[i] = true;
                    mayHaveEffect[i] = true;
                } else if (REMOTE_STEPS.contains(a.step()) && (a.outcome().equals("UNKNOWN") || a.outcome().equals("PENDING"))) {
                    mayHaveEffect[i] = true;
                }
            } else {
                compensating = true;
                if (i > lastCompensation && !saga.undoneTogether(i, lastCompensation)) {
                    v.add("compensation " + a + " after an earlier step's compensation had begun (not reverse order)");
                }
                if (!mayHaveEffect[i]) {
                    v.add("compensation " + a + " of a step that never took effect");
                }
                if (compensated[i] && !checkFailed[i]) {
                    v.add("compensation " + a + " after the step was already undone (executed twice)");
                }
                checkFailed[i] = false;
                for (int later = i + 1; later < n; later++) {
                    if (mayHaveEffect[later] && !compensated[later] && !saga.undoneTogether(i, later)) {
                        v.add("compensation " + a + " began before step " + steps.get(later) + " was undone");
                    }
                }
                lastCompensation = i;
                compensationTried[i] = true;
                if (a.outcome().equals("SUCCEEDED")) {
                    compensated[i] = true;
                }
            }
        }
        boolean allSucceeded = true;
        for (boolean ok : forwardSucceeded) {
            allSucceeded &= ok;
        }
        switch (saga.status()) {
            case "COMPLETED" -> {
                if (!allSucceeded) {
                    v.add("COMPLETED, but not every forward step succeeded");
                }
                if (compensating) {
                    v.add("COMPLETED, but compensations ran");
                }
            }
            case "COMPENSATED", "ESCALATED" -> {
                if (allSucceeded) {
                    v.add(saga.status() + ", but every forward step succeeded");
                }
                int stoppedAt = -1; // an ESCALATED saga stops at the step it could not undo (its group's, side by side)
                for (int i = n - 1; i >= 0; i--) {
                    if (!mayHaveEffect[i]) {
                        continue;
                    }
                    boolean stopped = stoppedAt >= 0 && !saga.undoneTogether(i, stoppedAt);
                    if (stopped) {
                        if (compensationTried[i]) {
                            v.add("step " + steps.get(i) + " was compensated after the saga gave up on a later one");
                        }
                    } else if (!compensated[i]) {
                        if (saga.status().equals("COMPENSATED")) {
                            v.add("COMPENSATED, but step " + steps.get(i) + " took effect and was not undone");
                        } else if (!compensationTried[i]) {
                            v.add("ESCALATED without trying to undo step " + steps.get(i));
                        }
                        stoppedAt = stoppedAt >= 0 ? stoppedAt : i;
                    }
                }
                if (saga.status().equals("ESCALATED") && stoppedAt < 0) {
                    v.add("ESCALATED, but every step that took effect was undone");
                }
            }
            default -> {
                // non-terminal: reported by the caller
            }
        }
        return v;
    }

    private static boolean isTerminal(String status) {
        return !status.equals("RUNNING") && !status.equals("COMPENSATING");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
