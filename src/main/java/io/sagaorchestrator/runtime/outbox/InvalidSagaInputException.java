package io.sagaorchestrator.runtime.outbox;

import io.sagaorchestrator.definitions.InputSchema;

import java.util.List;
import java.util.stream.Collectors;

/** Code dispatched a saga with a payload its definition's {@code input:} does not take; nothing was written. */
public class InvalidSagaInputException extends IllegalArgumentException {

    private final transient List<InputSchema.Violation> violations;

    public InvalidSagaInputException(String definition, List<InputSchema.Violation> violations) {
        super(definition + " does not take this input: " + violations.stream().map(v -> v.field() + " " + v.message())
                .collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<InputSchema.Violation> violations() {
        return violations;
    }
}
