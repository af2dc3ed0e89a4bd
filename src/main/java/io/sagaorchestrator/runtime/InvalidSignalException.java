package io.sagaorchestrator.runtime;

import io.sagaorchestrator.definitions.InputSchema;

import java.util.List;

/** A signal whose payload does not match what its await takes; nothing was kept. */
public final class InvalidSignalException extends RuntimeException {

    private final List<InputSchema.Violation> violations;

    public InvalidSignalException(String signal, List<InputSchema.Violation> violations) {
        super("The payload of signal '" + signal + "' does not match what its await takes");
        this.violations = List.copyOf(violations);
    }

    public List<InputSchema.Violation> violations() {
        return violations;
    }
}
