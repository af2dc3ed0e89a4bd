package io.sagaorchestrator.check;

import io.sagaorchestrator.definitions.SagaDefinition;

import java.util.List;

/** What {@code check} says of one definition: every failure point and what the engine does there, and its lints. */
public record DefinitionReport(String file, String name, int version, List<FailurePoint> failurePoints, List<Lint> lints) {

    public DefinitionReport {
        failurePoints = List.copyOf(failurePoints);
        lints = List.copyOf(lints);
    }

    public static DefinitionReport of(String file, SagaDefinition definition) {
        return new DefinitionReport(file, definition.name(), definition.version(), FailurePoints.of(definition),
                Lints.of(file, definition));
    }
}
