package io.sagaorchestrator.definitions;

import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

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

    @Test
    void theSagaAuthorsPageStatesTheDefaultsADefinitionGetsWithoutARetryPolicy() throws IOException {
        // given the page a saga author reads (the defaults used to be named only by a Java constant)
        String page = Files.readString(Path.of("docs/writing-sagas.md"), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        RetryPolicy d = RetryPolicy.DEFAULT;

        // when the default policy is written as a definition writes a policy
        String stated = "`attempts: " + d.attempts() + "`, `inProcess: { attempts: " + d.inProcessAttempts() + ", delay: "
                + yaml(d.inProcessDelay()) + " }`, `backoff: { initialDelay: " + yaml(d.initialDelay()) + ", multiplier: "
                + yaml(d.multiplier()) + ", maxDelay: " + yaml(d.maxDelay()) + ", jitter: " + yaml(d.jitter()) + " }`, `retryOn: "
                + names(d.retryOn()) + "`, `abortOn: " + names(d.abortOn()) + "`";

        // then the page says exactly that
        assertTrue(page.contains(stated), "docs/writing-sagas.md does not state the default retry policy: " + stated);
    }

    private static String yaml(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static String yaml(double number) {
        return BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
    }

    private static String names(List<Class<? extends Throwable>> failures) {
        return failures.stream().map(Class::getSimpleName).collect(Collectors.joining(", ", "[", "]"));
    }
}
