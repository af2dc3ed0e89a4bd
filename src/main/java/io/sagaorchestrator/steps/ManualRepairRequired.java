package io.sagaorchestrator.steps;

/**
 * The action cannot decide safely what to do and a person must. Never retried: a compensation that
 * throws it escalates the saga at once with this message as the reason; a forward step that throws
 * it is treated as failed and the saga compensates what it did.
 */
public final class ManualRepairRequired extends StepFailure {
    public ManualRepairRequired(String message) {
        super(message, null);
    }
}
