package io.sagaorchestrator.check;

import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.Reference;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules a definition can satisfy when it is read and still break in a failure. What the parser refuses (a
 * remote step without compensation, a step without one before a step whose failure compensates) never reaches here:
 * {@link #invalid} reports it in the same form. The outputs and idempotency of action beans are their code's, and not
 * seen here; these rules read the calls a definition declares.
 */
public final class Lints {

    public static final String INVALID = "invalid-definition";
    public static final String NO_IDEMPOTENCY_KEY = "retried-call-without-idempotency-key";
    public static final String UNRECORDED_OUTPUT = "compensation-reads-unrecorded-output";

    /** Methods that may be repeated without a second effect (RFC 9110, 9.2.2). */
    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "PUT", "DELETE");
    private static final UnknownOutcomeFailure UNKNOWN = new UnknownOutcomeFailure("the answer was lost", null);

    private Lints() {
    }

    public static List<Lint> of(String file, SagaDefinition definition) {
        List<Lint> lints = new ArrayList<>();
        for (StepDefinition step : definition.steps()) {
            if (!step.kind().callsThirdParty() || (step.item() != null && step.item().index() > 0)) {
                continue; // a forEach's items are one step written once: its first item speaks for them
            }
            retriedWithoutKey(file, definition, step, step.http(), step.retry(), "call").ifPresent(lints::add);
            retriedWithoutKey(file, definition, step, step.compensationHttp(), step.compensationRetry(), "compensation")
                    .ifPresent(lints::add);
            readsUnrecordedOutput(file, definition, step).ifPresent(lints::add);
        }
        return List.copyOf(lints);
    }

    /** A definition the parser refused, as a lint at the place it names. */
    public static Lint invalid(InvalidDefinitionException refused) {
        return new Lint(refused.file(), refused.line(), INVALID, refused.fault(), null);
    }

    /**
     * A POST or PATCH retried after an unknown outcome with {@code idempotencyKey: false}: the lost answer may hide a
     * first effect, and the retry makes a second one (a second charge, a second contact).
     */
    private static Optional<Lint> retriedWithoutKey(String file, SagaDefinition definition, StepDefinition step,
                                                              HttpCall call, RetryPolicy policy, String what) {
        if (call == null || call.idempotencyKey() || IDEMPOTENT_METHODS.contains(call.method())
                || !policy.isRetryable(UNKNOWN) || policy.attempts() < 2) {
            return Optional.empty();
        }
        int line = DefinitionParser.line(definition.source(), step.writtenName(), "idempotencyKey");
        return Optional.of(new Lint(file, line, NO_IDEMPOTENCY_KEY, "the " + what + " of step '" + step.writtenName() + "' ("
                + call.label() + ") is tried again after an unknown outcome but sends no Idempotency-Key: when an answer is"
                + " lost after the third party acted, the next attempt acts a second time.",
                "remove 'idempotencyKey: false' if " + call.target() + " honours the header; or make the call idempotent (a PUT"
                        + " to a path the saga names, e.g. with ${step.idempotencyKey}); or stop retrying an unknown outcome"
                        + " (abortOn: [UnknownOutcomeFailure]) so that the saga undoes it instead."));
    }

    /**
     * A compensation that addresses what it undoes by the forward call's answer: when that answer was lost, the step
     * may have taken effect and has no output, and the compensation cannot be built, so every such saga escalates.
     */
    private static Optional<Lint> readsUnrecordedOutput(String file, SagaDefinition definition, StepDefinition step) {
        HttpCall undo = step.compensationHttp();
        if (undo == null) {
            return Optional.empty();
        }
        return undo.references().stream()
                .filter(r -> r.root() == Reference.Root.FORWARD && !r.path().isEmpty())
                .findFirst()
                .map(r -> new Lint(file, DefinitionParser.line(definition.source(), step.writtenName(), "forward.output"),
                        UNRECORDED_OUTPUT, "the compensation of step '" + step.writtenName() + "' reads " + r.text() + ", which"
                        + " is not recorded when the step's answer is lost (a timeout, a 5xx): the step may then have taken"
                        + " effect, the compensation cannot say what to undo, and the saga escalates for a person.",
                        "address what to undo by something the saga knows before the call: send ${step.idempotencyKey}"
                                + " with the call and undo by it (as order-checkout does), or use a value of the input."));
    }
}
