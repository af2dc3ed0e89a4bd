package io.sagaorchestrator.consistency;

import io.sagaorchestrator.engine.CrashPoints;
import io.sagaorchestrator.process.ServiceProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The process halts at each place where a saga is half-way between two commits (the engine's crash
 * points), halts there once more while the restarted process recovers, is then started without the
 * crash point, and recovery finishes every saga: afterwards TT and the local database agree.
 */
class CrashPointMatrixIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(CrashPoints.Point.class)
    void aProcessThatHaltsAtThisPointLeavesNothingInconsistentAfterItsRestart(CrashPoints.Point point) throws Exception {
        try (Scenario s = Scenario.create("crash " + point, "crash-" + point)) {
            // given 20 sagas, a third of them failing locally (so compensation runs), two on usernames TT already has
            List<Clients.Request> requests = s.plan(20, 2);
            s.tt.latency(5, 40);
            if (point == CrashPoints.Point.BETWEEN_COMPENSATION_ATTEMPTS) {
                s.tt.deleteFailuresPerUser(2); // each deletion fails twice, then works
            }
            int after = switch (point) {
                case BETWEEN_COMPENSATION_ATTEMPTS -> 3;
                case INSIDE_LOCAL_STEP -> 5;
                default -> 7;
            };
            ServiceProcess crashing = s.start("a", Map.of("saga.test.crash-point", point.name(), "saga.test.crash-after",
                    Integer.toString(after)));

            // when clients send them and the process halts at the crash point
            Clients.Load load = s.clients.start(requests, 6, 30, 5);
            s.awaitCrash(crashing, Duration.ofSeconds(60));

            // and the restarted process halts there again while it recovers (the second time the point is reached)
            crashing = s.startArmed("a", s.port(crashing), Map.of("saga.test.crash-point", point.name(), "saga.test.crash-after", "2"));
            s.awaitCrash(crashing, Duration.ofSeconds(60));

            // and it is started once more without the crash point, on the same port; clients send again what got no answer
            s.start("a", s.port(crashing), Map.of());
            Map<String, Clients.Answer> answers = load.awaitAnswered(Duration.ofSeconds(120));

            // then every saga ends, and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }
}
