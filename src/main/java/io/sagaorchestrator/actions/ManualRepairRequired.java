package io.sagaorchestrator.actions;

/**
 * The action cannot decide safely what to do and a person must: the saga is escalated at once,
 * with this message as the reason, whatever the retry budget left.
 */
public final class ManualRepairRequired extends StepFailure {
    public ManualRepairRequired(String message) {
        super(message, null);
    }
}
