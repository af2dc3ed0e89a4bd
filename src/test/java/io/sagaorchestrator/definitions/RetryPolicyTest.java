package io.sagaorchestrator.definitions;

import io.sagaorchestrator.actions.ManualRepairRequired;
import io.sagaorchestrator.actions.RejectedFailure;
import io.sagaorchestrator.actions.UnavailableFailure;
import io.sagaorchestrator.actions.UnknownOutcomeFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(10, 3, Duration.ofSeconds(1), Duration.ofSeconds(2), 2.0,
            Duration.ofSeconds(10), 0.5, List.of(UnavailableFailure.class, UnknownOutcomeFailure.class),
            List.of(RejectedFailure.class));

    @Test
    void backoffGrowsWithEachFailedRunUpToTheCap() {
        // with no jitter drawn (random = 0.5 is the middle of the spread)
        assertEquals(Duration.ofSeconds(2), policy.backoffAfter(3, 0.5));
        assertEquals(Duration.ofSeconds(4), policy.backoffAfter(6, 0.5));
        assertEquals(Duration.ofSeconds(8), policy.backoffAfter(9, 0.5));
        assertEquals(Duration.ofSeconds(10), policy.backoffAfter(30, 0.5));
    }

    @Test
    void jitterSpreadsAroundTheBackoff() {
        assertEquals(Duration.ofSeconds(1), policy.backoffAfter(3, 0.0));
        assertEquals(Duration.ofMillis(2999), policy.backoffAfter(3, 0.9995));
    }

    @Test
    void quickAttemptsNeverExceedTheBudget() {
        assertEquals(3, policy.inProcessAttemptsLeft(0));
        assertEquals(2, policy.inProcessAttemptsLeft(8));
        assertEquals(0, policy.inProcessAttemptsLeft(10));
    }

    @Test
    void abortOnWinsOverRetryOn() {
        RetryPolicy p = new RetryPolicy(3, 1, Duration.ZERO, Duration.ZERO, 1.0, Duration.ZERO, 0,
                List.of(RuntimeException.class), List.of(RejectedFailure.class));
        assertTrue(p.isRetryable(new UnavailableFailure("x", null)));
        assertFalse(p.isRetryable(new RejectedFailure("x")));
        assertFalse(policy.isRetryable(new ManualRepairRequired("x")));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, 1, Duration.ZERO, Duration.ZERO, 1, Duration.ZERO, 0,
                List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(1, 1, Duration.ZERO, Duration.ofSeconds(2), 1,
                Duration.ofSeconds(1), 0, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(1, 1, Duration.ZERO, Duration.ZERO, 0.5,
                Duration.ZERO, 0, List.of(), List.of()));
    }
}
