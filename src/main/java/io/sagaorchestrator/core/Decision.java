package io.sagaorchestrator.core;


import java.time.Duration;

/**
 * What {@link SagaTransitions} decided: the saga's next state, and what must be written for it. Whoever asked (the engine's
 * run, an operator, recovery) hands it to the one interpreter, {@link io.sagaorchestrator.store.SagaLog#carryOut}, so
 * that each kind of decision becomes the same writes wherever it was taken.
 */
public sealed interface Decision {

    /** The saga's next state; unchanged when a request was refused. */
    SagaSnapshot next();

    /**
     * Go on with the step {@code next} stands on, in its direction. Nothing needs committing yet:
     * held-back outcomes ride with the next commit (an intent, a local step, or the end).
     */
    record Continue(SagaSnapshot next) implements Decision {
    }

    /** Commit {@code next} and release the saga until {@code wakeIn} has passed (zero: at once, by recovery). */
    record Park(SagaSnapshot next, Duration wakeIn) implements Decision {
    }

    /** Commit the terminal {@code next}. */
    record End(SagaSnapshot next) implements Decision {
    }

    /** Commit {@code next}, ESCALATED with the reason in its last error, together with the alert that a person must act. */
    record Escalate(SagaSnapshot next) implements Decision {
    }

    /** An operator's request does not fit the saga; nothing changes. */
    record Refused(SagaSnapshot next, String reason) implements Decision {
    }

    /**
     * Mark the saga paused: it makes no new attempt until an operator resumes it; an attempt in flight ends first. Its
     * state and version stay as they are, so its owner's fenced writes still succeed.
     */
    record Pause(SagaSnapshot next, String by) implements Decision {
    }

    /** Lift the pause: a saga nobody advances is due at once, one whose owner is at work goes on with it. */
    record Resume(SagaSnapshot next) implements Decision {
    }

    /**
     * Commit {@code next} and release the saga, waiting for the signal {@code signal}: no owner, no lease, no thread; due
     * again when {@code wakeIn} has passed (its timeout), or at once when the signal comes. The saga shows as waiting
     * for it until its next commit.
     */
    record Wait(SagaSnapshot next, String signal, Duration wakeIn) implements Decision {
    }
}
