package io.sagaorchestrator.consistency;

import io.sagaorchestrator.runtime.CrashPoints;
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
            // when clients send them, the process halts at the crash point, halts there again while it recovers, and is
            // started once more without it; clients send again what got no answer
            Map<String, Clients.Answer> answers = s.haltTwiceThenRecover(point, after, s.clients, requests);

            // then every saga ends, and TT and the database agree
            double converged = s.awaitConvergence(Duration.ofSeconds(90));
            s.verify(answers, converged);
            s.assertEverySagaNotRefusedLocallyCompleted();
        }
    }
}
