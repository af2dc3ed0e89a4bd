package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The same person submitted twice at once, 300 times: each pair is two concurrent starts with the same name and phone,
 * half of them without an idempotency key and half with two different keys, user-sync and user-sync-outbox mixed on
 * the same people, over two instances, with 20 % of TT's add answers lost and both instances SIGKILLed once. Before the
 * sagas of one person ran one at a time, a compensation deleted the TT user that the other saga had adopted and
 * linked: about one pair in six left a liaison pointing at a user TT no longer has, and no saga said so.
 *
 * <p>The checks are by person, since a person now has several sagas: every saga terminal; no liaison row pointing at
 * a TT user that is gone; no TT user without its liaison row (an orphan), unless a saga of that person is ESCALATED and
 * says why; at most one COMPLETED saga per person, and its row linked to it; no saga that created the user twice;
 * every saga's history a valid saga execution; every escalation explained.
 */
class SamePersonSubmittedTwiceIT {

    private static final int PAIRS = 300;
    private static final int PAIRS_AT_ONCE = 8;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * One start request: a person, by one of the two definitions, with or without an idempotency key ({@code key} is the
     * request's own id either way: the clients file its answer under it).
     */
    record Submission(String name, String phone, String definition, String key, boolean sendsKey) implements Clients.Start {
        @Override
        public String body() {
            return "{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\",\"roleIds\":[3]}";
        }
    }

    @Test
    void pairsOfTheSamePersonAtOnceLeaveTtAndTheDatabaseAgreeingUnderLostAnswersAndKills() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Scenario s = Scenario.create("300 pairs of one person at once, 2 instances", "same-person-twice")) {
            System.out.println("[consistency] same person twice: seed " + seed);
            s.tt.latency(10, 80);
            s.tt.addLoseAfterWork(0.2);
            List<ServiceProcess> instances = new ArrayList<>(s.startAll("a", "b"));

            // both of a pair are next to each other in the queue, so the clients take them at once; 16 clients: 8 pairs
            List<Submission> submissions = plan(random).stream().flatMap(List::stream).toList();
            Clients.Load load = s.clients.start(submissions, PAIRS_AT_ONCE * 2, 0, 10);
            Thread killer = killer(s, instances, load, random);
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofMinutes(8));
            killer.join(TimeUnit.MINUTES.toMillis(2));
            Map<Integer, Long> answersByStatus = answers.values().stream()
                    .collect(Collectors.groupingBy(Clients.Answer::http, TreeMap::new, Collectors.counting()));

            // every saga ends, or waits behind an ESCALATED saga of the same person: that one keeps the key until a person
            // has repaired it, as the escalation says (check in TT, delete the user if nobody uses it, resolve)
            int repaired = repairEscalatedAsAnOperatorWould(s);
            double converged = s.awaitConvergence(Duration.ofSeconds(180));
            Findings f = check(s);
            String line = String.format(Locale.ROOT, "| %s | %d | %d / %d / %d (%d), %d resolved | %d | %d TT | %d | %d | %d | %.1f | - |",
                    s.title, f.sagas, f.completed, f.compensated, f.escalated, f.escalatedUncertain, f.resolved, 2, s.tt.faultsInjected(),
                    f.orphans, f.duplicates, f.nonTerminal, converged);
            System.out.println("[consistency] " + line + " answers " + answersByStatus + ", dangling rows " + f.dangling
                    + ", escalations " + f.escalationReasons + ", repaired and resolved by the operator " + repaired);
            Scenario.record(line);
            if (!f.violations.isEmpty()) {
                fail(f.violations.size() + " violation(s) of the consistency promise (service logs: target/it/consistency-"
                        + "same-person-twice-*.log):\n  " + f.violations.stream().limit(40).collect(Collectors.joining("\n  ")));
            }
            // every pair was sent, and each person has two sagas at least (a resend without a key may add one)
            assertTrue(f.sagas >= PAIRS * 2, f.sagas + " sagas for " + PAIRS + " pairs");
            assertEquals(0, f.dangling);
        }
    }

    /**
     * Two starts per person, started together: every third person's name is refused by the local save (both sagas are
     * undone); every other pair mixes user-sync and user-sync-outbox; half the pairs send no idempotency key.
     */
    private static List<List<Submission>> plan(Random random) {
        List<List<Submission>> pairs = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            String name = i % 3 == 2 ? "fail twice " + i : i % 5 == 0 ? "张三" : "Twice User " + i;
            String phone = String.format("1370000%04d", i);
            boolean keyed = i % 2 == 0;
            String first = i % 4 == 1 ? "user-sync-outbox" : "user-sync";
            String second = i % 4 == 3 ? "user-sync-outbox" : "user-sync";
            Submission a = new Submission(name, phone, first, UUID.randomUUID().toString(), keyed);
            Submission b = new Submission(name, phone, second, UUID.randomUUID().toString(), keyed);
            pairs.add(random.nextBoolean() ? List.of(a, b) : List.of(b, a));
        }
        return pairs;
    }

    /** SIGKILLs instance a once a third of the requests are answered and b at two thirds, each started again at once. */
    private static Thread killer(Scenario s, List<ServiceProcess> instances, Clients.Load load, Random random) {
        Thread t = new Thread(() -> {
            try {
                for (int k = 0; k < 2; k++) {
                    int at = (k + 1) * PAIRS * 2 / 3 + random.nextInt(20) - 10;
                    while (load.answered() < at) {
                        Thread.sleep(20);
                    }
                    ServiceProcess victim = instances.get(k);
                    s.kill(victim);
                    instances.set(k, s.start(k == 0 ? "a" : "b", s.port(victim), Map.of()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "killer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Waits until every saga has ended or waits for the key of an ESCALATED saga, then repairs each ESCALATED saga as its
     * last error tells a person to: the TT user it names is deleted when no liaison links it, and the saga is resolved.
     * Resolving hands the key on, and the sagas waiting for it run. Repeats until nothing is escalated.
     *
     * @return how many sagas were resolved
     */
    private static int repairEscalatedAsAnOperatorWould(Scenario s) throws Exception {
        int resolved = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (s.count("select count(*) from saga w where w.status in ('RUNNING', 'COMPENSATING') and not exists (select 1 from"
                    + " saga h where h.live_key = w.live_key and h.key_held and h.status = 'ESCALATED' and not w.key_held)") > 0) {
                Thread.sleep(200);
                continue;
            }
            List<String[]> escalated = new ArrayList<>();
            try (Connection c = s.schema.connect(); PreparedStatement ps = c.prepareStatement(
                    "select id, substring(last_error from 'TT user ([0-9]+)') from saga where status = 'ESCALATED'");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    escalated.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            if (escalated.isEmpty()) {
                return resolved;
            }
            for (String[] saga : escalated) {
                String remoteUserId = saga[1];
                if (remoteUserId != null && s.count("select count(*) from liaison_info where remote_user_id = '" + remoteUserId + "'") == 0) {
                    call("DELETE", s.tt.url() + "/users/" + remoteUserId, null, Map.of());
                }
                int code = call("POST", s.live().get(0).url("/api/sagas/" + saga[0] + "/resolve"),
                        "{\"reason\":\"checked in TT: deleted the user nobody links, or left the one a liaison links\"}",
                        Map.of("Authorization", Clients.AUTH, "Content-Type", "application/json"));
                assertEquals(200, code, "resolving " + saga[0]);
                resolved++;
            }
        }
        fail("sagas still live or escalated after 5 minutes of repairs");
        return resolved;
    }

    private static int call(String method, String url, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** What the checks found, by person. */
    static final class Findings {
        int sagas, completed, compensated, escalated, escalatedUncertain, resolved, nonTerminal, orphans, dangling, duplicates;
        final Map<String, Integer> escalationReasons = new TreeMap<>();
        final List<String> violations = new ArrayList<>();
    }

    private record Liaison(long id, String remoteUserId, String syncStatus, String linkedSaga) {
    }

    private static Findings check(Scenario s) throws SQLException {
        Findings f = new Findings();
        Map<String, ConsistencyChecks.Saga> sagas;
        Map<String, List<ConsistencyChecks.Attempt>> attempts;
        Map<String, Liaison> liaisons = new HashMap<>();
        try (Connection c = s.schema.connect()) {
            sagas = ConsistencyChecks.sagas(c);
            attempts = ConsistencyChecks.attempts(c);
            try (PreparedStatement ps = c.prepareStatement("select l.id, l.username, l.remote_user_id, l.sync_status, z.saga_id"
                    + " from liaison_info l left join lz_liaison z on z.liaison_id = l.id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    liaisons.put(rs.getString(2), new Liaison(rs.getLong(1), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        Map<String, List<ConsistencyChecks.Saga>> byPerson = sagas.values().stream()
                .collect(Collectors.groupingBy(ConsistencyChecks.Saga::username));
        Map<String, TtDouble.User> ttByUsername = new HashMap<>();
        s.tt.liveUsersById().values().forEach(u -> ttByUsername.put(u.username(), u));
        Map<String, Integer> creations = s.tt.creations();
        f.sagas = sagas.size();

        Set<String> people = new TreeSet<>(byPerson.keySet());
        people.addAll(ttByUsername.keySet());
        people.addAll(liaisons.keySet());
        for (String username : people) {
            List<ConsistencyChecks.Saga> own = byPerson.getOrDefault(username, List.of());
            Liaison row = liaisons.get(username);
            TtDouble.User user = ttByUsername.get(username);
            boolean escalated = own.stream().anyMatch(x -> x.status().equals("ESCALATED"));
            own.stream().filter(x -> x.status().equals("RESOLVED")).forEach(x -> {
                String reason = reason(x.lastError());
                f.escalationReasons.merge(reason, 1, Integer::sum);
                if (!reason.equals("uncertain ownership")) {
                    f.violations.add("saga " + x.id() + " (" + username + ") escalated for a reason the suite does not expect: "
                            + x.lastError());
                }
            });
            List<ConsistencyChecks.Saga> completed = own.stream().filter(x -> x.status().equals("COMPLETED")).toList();
            for (ConsistencyChecks.Saga saga : own) {
                switch (saga.status()) {
                    case "COMPLETED" -> f.completed++;
                    case "COMPENSATED" -> f.compensated++;
                    case "RESOLVED" -> f.resolved++;
                    case "ESCALATED" -> {
                        f.escalated++;
                        String reason = reason(saga.lastError());
                        f.escalationReasons.merge(reason, 1, Integer::sum);
                        if (reason.equals("uncertain ownership")) {
                            f.escalatedUncertain++;
                        } else {
                            f.violations.add("ESCALATED saga " + saga.id() + " (" + username + ") does not say a reason the suite"
                                    + " expects: " + saga.lastError());
                        }
                    }
                    default -> {
                        f.nonTerminal++;
                        f.violations.add("saga " + saga.id() + " (" + username + ") is still " + saga.status());
                    }
                }
                ConsistencyChecks.checkHistory(saga, attempts, f.violations);
            }
            if (completed.size() > 1) {
                f.violations.add(username + ": " + completed.size() + " COMPLETED sagas, one liaison");
            }
            // the promise's first half: a row the application reads points at a user TT has
            if (row != null && "SYNCED".equals(row.syncStatus())) {
                if (user == null || !user.id().equals(row.remoteUserId())) {
                    f.dangling++;
                    f.violations.add("liaison of " + username + " links TT user " + row.remoteUserId() + ", TT has " + user
                            + "; sagas " + describe(own));
                } else if (completed.size() != 1 || !completed.get(0).id().equals(row.linkedSaga())) {
                    f.violations.add("liaison of " + username + " is linked to saga " + row.linkedSaga() + ", COMPLETED: "
                            + describe(completed));
                }
            } else if (row != null && !escalated) {
                f.dangling++;
                f.violations.add("liaison of " + username + " is " + row.syncStatus() + " with no saga escalated; sagas " + describe(own));
            }
            if (row == null && !completed.isEmpty()) {
                f.violations.add(username + ": COMPLETED saga " + completed.get(0).id() + " has no liaison row");
            }
            // its second half: a user TT has is one the application knows, or a saga says why not
            if (user != null && (row == null || !user.id().equals(row.remoteUserId())) && !escalated) {
                f.orphans++;
                f.violations.add("orphan: TT user " + user.id() + " (" + username + "), liaison " + row + ", sagas " + describe(own));
            }
            // a saga creates its person's TT user once at most
            int created = creations.getOrDefault(username, 0);
            if (created > own.size()) {
                f.duplicates++;
                f.violations.add(username + " was created in TT " + created + " times by " + own.size() + " saga(s)");
            }
        }
        return f;
    }

    private static String reason(String lastError) {
        if (lastError == null || lastError.isBlank()) {
            return "none";
        }
        return lastError.contains("cannot be told whether this saga created it") ? "uncertain ownership" : lastError;
    }

    private static String describe(List<ConsistencyChecks.Saga> sagas) {
        return sagas.stream().map(x -> x.id() + " " + x.definition() + " " + x.status()).collect(Collectors.joining(", ", "[", "]"));
    }
}
