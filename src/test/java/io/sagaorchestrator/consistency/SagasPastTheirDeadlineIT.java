package io.sagaorchestrator.consistency;

import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * user-sync with a deadline of 8 s, while TT hangs on a share of the sagas for longer than that (two adds in a row
 * that outlast the call's 5 s timeout), and the service is killed twice: each hung saga stops going forward at its
 * deadline and is undone, or escalated when TT may hold a user it cannot tell is its own; no forward attempt begins
 * past a saga's deadline, even after recovery; and TT and the database agree.
 */
class SagasPastTheirDeadlineIT {

    private static final String DEADLINE = "8s";
    /** Longer than tt-add-user's timeout (5 s): two hung adds in a row take the saga past its deadline. */
    private static final int HANG_MILLIS = 6_000;

    @Test
    void sagasWhoseThirdPartyHangsPastTheDeadlineEndUndoneAndConsistentAcrossKills() throws Exception {
        try (Scenario s = Scenario.create("TT hangs past an 8 s deadline for 8 sagas, SIGKILL x2", "deadline")) {
            List<Clients.Request> requests = s.plan(40, 2);
            s.tt.latency(10, 100);
            List<Clients.Request> hung = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                // the plan's 'fail' names (every third) are undone anyway; hang the ones that would complete
                Clients.Request r = requests.get(3 * i + 1);
                s.tt.hangAdds(r.username(), 2, HANG_MILLIS, i % 2 == 1);
                hung.add(r);
            }
            Map<String, String> withDeadline = Map.of("saga.definitions.dir", definitionsWithDeadline().toString());
            ServiceProcess service = s.start("a", withDeadline);

            // when 5 clients start 40 sagas, and the process is killed twice while the hung ones wait
            Clients.Load load = s.clients.start(requests, 5, 100, 3);
            for (int kill = 0; kill < 2; kill++) {
                Thread.sleep(2_500);
                s.kill(service);
                service = s.start("a", s.port(service), withDeadline);
            }
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(90));

            // then every saga ends, and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            // no hung saga went on past its deadline to complete
            for (Clients.Request r : hung) {
                assertNotEquals("COMPLETED", s.status(r), r + ": " + s.lastError(r));
            }
            // every saga has its deadline in the log, and none began a forward attempt after it
            assertEquals("", rows(s, "select id, status, created_at, deadline_at, last_error from saga"
                    + " where deadline_at is distinct from created_at + interval '" + DEADLINE + "'"));
            assertEquals("", rows(s, "select s.id, a.step_name, a.attempt, a.started_at, s.deadline_at from saga_step_attempt a"
                    + " join saga s on s.id = a.saga_id where a.direction = 'FORWARD' and a.started_at > s.deadline_at"));
        }
    }

    /** The shipped definitions, with user-sync given a deadline. */
    private static Path definitionsWithDeadline() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "it", "deadline-definitions"));
        try (Stream<Path> shipped = Files.list(Path.of("saga-definitions"))) {
            for (Path p : shipped.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(p);
                if (p.getFileName().toString().equals("user-sync.yaml")) {
                    yaml = yaml.replaceFirst("(?m)^version: (\\d+)$", "version: $1\ndeadline: " + DEADLINE);
                }
                Files.writeString(dir.resolve(p.getFileName()), yaml);
            }
        }
        return dir.toAbsolutePath();
    }

    /** The rows {@code sql} finds, a line each: what a failed check shows. */
    private static String rows(Scenario s, String sql) throws SQLException {
        StringBuilder found = new StringBuilder();
        try (Connection c = s.schema.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    found.append(i == 1 ? "" : " | ").append(rs.getString(i));
                }
                found.append('\n');
            }
        }
        return found.toString();
    }
}
