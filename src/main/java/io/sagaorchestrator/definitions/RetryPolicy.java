package io.sagaorchestrator.definitions;

import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How often and how soon a step is tried again in one direction. The first
 * {@code inProcessAttempts} attempts of a run are quick retries in the same thread
 * ({@code inProcessDelay} apart); when they are spent and the budget of {@code attempts} is not,
 * the next run is scheduled in the saga log after an exponential backoff with jitter, so a restart
 * keeps the schedule.
 *
 * @param retryOn failures worth another attempt; {@code abortOn} wins when both match
 */
public record RetryPolicy(int attempts, int inProcessAttempts, Duration inProcessDelay,
                          Duration initialDelay, double multiplier, Duration maxDelay, double jitter,
                          List<Class<? extends Throwable>> retryOn,
                          List<Class<? extends Throwable>> abortOn) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, 3, Duration.ofSeconds(1),
            Duration.ofSeconds(2), 2.0, Duration.ofMinutes(5), 0.2,
            List.of(UnavailableFailure.class, UnknownOutcomeFailure.class),
            List.of(RejectedFailure.class, ManualRepairRequired.class));

    public RetryPolicy {
        requireAtLeastOne(attempts, "attempts");
        requireAtLeastOne(inProcessAttempts, "inProcess.attempts");
        requireNotNegative(inProcessDelay, "inProcess.delay");
        requireNotNegative(initialDelay, "backoff.initialDelay");
        requireNotNegative(maxDelay, "backoff.maxDelay");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("backoff.maxDelay (" + maxDelay + ") is shorter than backoff.initialDelay (" + initialDelay + ")");
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("backoff.multiplier must be at least 1, got " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("backoff.jitter must be between 0 and 1, got " + jitter);
        }
        retryOn = List.copyOf(retryOn);
        abortOn = List.copyOf(abortOn);
    }

    public boolean isRetryable(Throwable failure) {
        return abortOn.stream().noneMatch(c -> c.isInstance(failure)) && retryOn.stream().anyMatch(c -> c.isInstance(failure));
    }

    /** How many quick attempts the next run may make, given the attempts already used. */
    public int inProcessAttemptsLeft(int used) {
        return Math.max(0, Math.min(inProcessAttempts, attempts - used));
    }

    /**
     * The wait before the next scheduled run, after {@code used} attempts: the backoff grows with each
     * run that failed; {@code random} in [0, 1) spreads retries of many sagas apart.
     */
    public Duration backoffAfter(int used, double random) {
        int failedRuns = Math.max(0, (used - 1) / inProcessAttempts);
        double base = initialDelay.toMillis() * Math.pow(multiplier, failedRuns);
        double capped = Math.min(base, maxDelay.toMillis());
        double spread = capped * jitter * (2 * random - 1);
        return Duration.ofMillis(Math.max(0, Math.round(capped + spread)));
    }

    private static void requireAtLeastOne(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void requireNotNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }
}
