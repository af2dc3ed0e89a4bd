package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.definitions.SagaDefinition;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What just happened to a saga, as {@link SagaTransitions} needs to know it to decide what follows.
 * Each event concerns the saga's current step, in the saga's current direction.
 */
public sealed interface Event {

    /** The current step's action (or compensation) succeeded with this output. */
    record StepSucceeded(JsonNode output) implements Event {
    }

    /** One attempt of the current step failed; the run may still try again at once. */
    record AttemptFailed(StepFailure failure) implements Event {
    }

    /**
     * The run's attempts are over and the last one failed.
     *
     * @param random in [0, 1), spreads the backoff of many sagas apart; passed in to keep the core deterministic
     */
    record StepFailed(StepFailure failure, double random) implements Event {
    }

    /**
     * The engine is about to begin the first forward attempt of the current step, which has a condition and nothing
     * recorded: the core tells the condition, unless the move onto the step told it already.
     */
    record StepReached() implements Event {
    }

    /** The previous owner stopped between an attempt's intent and its outcome: the call may have happened. */
    record AttemptInterrupted() implements Event {
    }

    /**
     * An operator asks to undo the saga.
     *
     * @param interruptedAttempt an intent of the current step was left without outcome by its owner
     * @param note               who asked and why, kept in the saga's last error
     * @param laterSagaOnKey     for a COMPLETED saga: a saga with the same key that is live, or started after it and did not
     *                           end COMPENSATED, and so may have adopted what this one created; else null
     */
    record OperatorCompensate(boolean forced, boolean interruptedAttempt, String note, UUID laterSagaOnKey) implements Event {

        /** A request on a saga no other saga with its key came after. */
        public OperatorCompensate(boolean forced, boolean interruptedAttempt, String note) {
            this(forced, interruptedAttempt, note, null);
        }
    }

    /**
     * An operator asks to try the current step again with a fresh attempt budget.
     *
     * @param lastAttemptForward the step's latest attempt went forward: where an escalated saga resumes
     * @param undoAttempts       the number of the step's latest attempt in the compensation or its check (0 when none),
     *                           which share their numbers: a saga escalated as drift makes its compensation again, numbered
     *                           after it
     */
    record OperatorRetry(boolean lastAttemptForward, int undoAttempts) implements Event {

        public OperatorRetry(boolean lastAttemptForward) {
            this(lastAttemptForward, 0);
        }
    }

    /**
     * An operator paused the saga, and the run was about to begin an attempt: the commit that would have begun it
     * found the pause, and nothing of the attempt happened.
     */
    record PausedBeforeAttempt() implements Event {
    }

    /**
     * The engine is about to begin a forward attempt (none is in flight) and the saga's deadline, or its current step's,
     * has passed.
     *
     * @param now the engine's clock, passed in to keep the core deterministic
     */
    record DeadlinePassed(Instant now) implements Event {
    }

    /**
     * An operator says the current forward step was carried out outside the saga, with this output, and asks the
     * saga to go on from there.
     *
     * @param step               the step the operator means: refused when it is not the current one
     * @param actionOutputFields the output fields the step's action bean says its readers need (none for a declared call)
     * @param lastAttemptForward the step's latest attempt went forward: only then may an escalated saga skip it
     * @param interruptedAttempt an intent of the step was left without outcome by its owner
     * @param forced             the operator confirms having checked that earlier attempts left no second effect
     * @param note               who asked and why
     */
    record OperatorSkip(String step, JsonNode output, Set<String> actionOutputFields, boolean lastAttemptForward,
                        boolean interruptedAttempt, boolean forced, String note) implements Event {
    }

    /**
     * An operator asks to move the saga to another version of its definition and go on where it stopped.
     *
     * @param target             the definition to move to (the current version of the same name)
     * @param lastAttemptForward the step's latest attempt went forward: where an escalated saga resumes
     */
    record OperatorReplan(SagaDefinition target, boolean lastAttemptForward, String note)
            implements Event {
    }

    /**
     * The saga stands, going forward, on an await step, and a signal for it was kept: sent while it waited, or before it
     * got there.
     *
     * @param signal     the signal's name (the step's)
     * @param signalId   the sender's id for it, which makes sending twice harmless
     * @param payload    what it carries: checked here again, since a signal sent by SQL was stored unchecked
     * @param receivedAt when it was stored: a signal stored after the wait ran out comes too late
     */
    record SignalReceived(String signal, String signalId, JsonNode payload, Instant receivedAt) implements Event {
    }

    /**
     * The saga stands, going forward, on an await step, and no signal is kept for it: it waits, released, until one
     * comes or its timeout passes.
     *
     * @param now the engine's clock, passed in to keep the core deterministic
     */
    record NoSignalYet(Instant now) implements Event {
    }

    // --- a parallel group, which the engine runs as one going forward, and going back when it is undone side by side:
    // events name the branch they concern, and go the saga's direction ---

    /** A branch of the group the saga stands on succeeded (going back: its compensation did) with this output. */
    record BranchSucceeded(String branch, JsonNode output) implements Event {
    }

    /**
     * One attempt of a branch failed, or was interrupted (its owner stopped between its intent and its outcome); the run
     * may still try the branch again.
     */
    record BranchAttemptFailed(String branch, StepFailure failure) implements Event {
    }

    /**
     * Every branch this run began has ended, none is in flight; the run started no further branch because one had failed
     * (going forward), or none was left.
     *
     * @param failed branches whose last attempt in this run failed, with that failure
     * @param used   for each failed branch, the attempts it has used of its budget
     * @param random in [0, 1), spreads the backoff of many sagas apart
     */
    record GroupSettled(Map<String, StepFailure> failed, Map<String, Integer> used, double random) implements Event {
        public GroupSettled {
            failed = Map.copyOf(failed);
            used = Map.copyOf(used);
        }
    }
}
