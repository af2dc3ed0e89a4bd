package io.sagaorchestrator.core;

import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** Which steps compensation undoes: in reverse order, those that took effect or may have. */
public final class Compensations {

    private Compensations() {
    }

    /** The latest step at or before {@code from} whose effect must be undone, if any. */
    public static OptionalInt lastToUndo(SagaDefinition definition, Map<String, StepState> states, int from) {
        for (int i = Math.min(from, definition.stepCount() - 1); i >= 0; i--) {
            StepDefinition step = definition.step(i);
            if (step.hasCompensation() && mayHaveEffect(states.get(step.name()))) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Every step compensation would undo starting at {@code from}, in the order it would: the engine moves from one to
     * the next with {@link #lastToUndo} below the step just undone, which changes no state below it.
     */
    public static List<Integer> inOrder(SagaDefinition definition, Map<String, StepState> states, int from) {
        List<Integer> steps = new ArrayList<>();
        for (OptionalInt next = lastToUndo(definition, states, from); next.isPresent();
             next = lastToUndo(definition, states, next.getAsInt() - 1)) {
            steps.add(next.getAsInt());
        }
        return steps;
    }

    public static boolean mayHaveEffect(StepState state) {
        return state != null && (state.effect() == Effect.DONE || state.effect() == Effect.UNCERTAIN);
    }
}
