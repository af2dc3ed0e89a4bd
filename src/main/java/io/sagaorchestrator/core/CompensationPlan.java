package io.sagaorchestrator.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.steps.OwnershipPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Locale;

/**
 * What compensating a saga by hand would do, before anyone confirms it: every step in the order compensation visits
 * them (latest first), whether its compensation runs and why or why not, and the request it would send. Computed by
 * the same rule as the operation ({@link SagaTransitions#operatorUndo}, {@link Compensations#inOrder}), so the preview
 * cannot drift from what happens. Pure, given a pure {@link Describer}.
 *
 * @param sagaId     the saga
 * @param definition the name of its definition
 * @param status     its status now
 * @param needsForce it COMPLETED: compensating it undoes a finished business operation and must be confirmed
 * @param refusal    why compensating it now, as asked, would be refused (the operation's own words), or null
 * @param steps      every step of the definition, latest first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompensationPlan(String sagaId, String definition, String status, boolean needsForce, String refusal, List<Step> steps) {

    /**
     * @param undo                 its compensation would run
     * @param effect               DONE, UNCERTAIN (may have taken effect: its answer was lost), COMPENSATED (undone
     *                             already) or NONE
     * @param ownership            who owns its effect, where its output says so (e.g. ttAddUser: CREATED, PRE_EXISTING,
     *                             UNCERTAIN)
     * @param onUncertainOwnership what its compensation does with an effect that may be somebody else's, where that can happen
     * @param why                  what the compensation will do with it, or why it is skipped
     * @param request              the request its compensation would send, secrets left out; null when it sends none
     *                             (a local compensation) or is skipped
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, String type, String compensation, boolean undo, String effect, String ownership,
                       String onUncertainOwnership, String why, JsonNode request) {
    }

    /** The request a step's compensation would send from the saga as given, secrets left out; null for none. */
    @FunctionalInterface
    public interface Describer {
        JsonNode compensationRequest(SagaSnapshot saga, StepDefinition step);
    }

    /**
     * @param forced             the operator confirms undoing a COMPLETED saga
     * @param interruptedAttempt the current step of a RUNNING saga has an attempt whose owner stopped before its outcome
     * @param refusedBefore      why the operation is refused before its rule is asked (the saga's status, an instance
     *                           advancing it), or null
     * @param laterSagaOnKey     see {@link Event.OperatorCompensate#laterSagaOnKey}
     */
    public static CompensationPlan of(SagaDefinition definition, SagaSnapshot saga, boolean forced, boolean interruptedAttempt,
                                      UUID laterSagaOnKey, String refusedBefore, Describer describe) {
        SagaTransitions.OperatorUndo asked = SagaTransitions.operatorUndo(definition, saga, forced, interruptedAttempt, laterSagaOnKey);
        // a COMPLETED saga's plan shows what a forced compensation would undo, and says it needs force
        SagaTransitions.OperatorUndo shown = forced ? asked
                : SagaTransitions.operatorUndo(definition, saga, true, interruptedAttempt, laterSagaOnKey);
        SagaSnapshot from = shown.saga();
        List<Integer> toUndo = Compensations.inOrder(definition, from.stepStates(), shown.from());
        List<Step> steps = new ArrayList<>();
        for (int i = definition.stepCount() - 1; i >= 0; i--) {
            StepDefinition step = definition.step(i);
            StepState state = from.stepState(step.name());
            String effect = state == null ? "NONE" : state.effect().name();
            String ownership = state == null || state.output() == null || !state.output().path("ownership").isTextual()
                    ? null : state.output().get("ownership").asText();
            String policy = step.compensationMayMeetUncertainOwnership()
                    ? step.onUncertainOwnership().name().toLowerCase(Locale.ROOT) : null;
            boolean undo = toUndo.contains(i);
            String why = undo ? undoing(step, state, ownership) : skipped(step, state, i > shown.from());
            steps.add(new Step(step.name(), step.kind().name().toLowerCase(Locale.ROOT), step.compensation(), undo, effect,
                    ownership, policy, why, undo ? describe.compensationRequest(from, step) : null));
        }
        String refusal = refusedBefore != null ? refusedBefore : asked.refusal();
        return new CompensationPlan(saga.id().toString(), saga.definitionName(), saga.status().name(),
                saga.status() == SagaStatus.COMPLETED, refusal, List.copyOf(steps));
    }

    private static String undoing(StepDefinition step, StepState state, String ownership) {
        if ("PRE_EXISTING".equals(ownership)) {
            return "kept: it existed before this saga; its compensation sends no request and leaves the effect in place";
        }
        if ("UNCERTAIN".equals(ownership) || state.effect() == Effect.UNCERTAIN && step.compensationMayMeetUncertainOwnership()) {
            String lead = "UNCERTAIN".equals(ownership) ? "the effect may be this saga's or somebody else's (an answer was lost)"
                    : "it may have taken effect (its answer was lost): its compensation first learns whether it did; if the"
                    + " effect then exists without telling whose it is";
            return lead + ", onUncertainOwnership " + switch (step.onUncertainOwnership()) {
                case ESCALATE -> "escalates the saga to a person";
                case COMPENSATE -> "undoes it anyway";
                case KEEP -> "leaves it in place and records why";
            };
        }
        return state.effect() == Effect.UNCERTAIN
                ? "it may have taken effect (its answer was lost): its compensation undoes it if it did"
                : "it took effect: its compensation undoes it";
    }

    private static String skipped(StepDefinition step, StepState state, boolean notReached) {
        if (notReached || state == null) {
            return notReached ? "not reached: the saga never got there" : "it took no effect";
        }
        if (state.effect() == Effect.COMPENSATED) {
            return "undone already";
        }
        if (state.effect() == Effect.SKIPPED) {
            return "skipped: its condition (" + step.when() + ") was false, so it never ran";
        }
        if (!step.hasCompensation()) {
            return "it has no compensation";
        }
        return "it took no effect";
    }
}
