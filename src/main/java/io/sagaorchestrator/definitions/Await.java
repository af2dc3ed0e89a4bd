package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A step that waits for a signal ({@code - await: ...}): the saga holds no thread and no lease while it waits; a signal
 * of this name wakes it, or its timeout does. The signal's payload, checked against {@code payload}, is the step's
 * output, which later steps read as any step's.
 *
 * @param signal     the name signals are sent by ({@code POST /api/sagas/{id}/signals/{signal}}, {@code saga_signal(...)})
 * @param payload    what a signal's payload must be: the same schema as a definition's {@code input:}
 * @param timeout    how long the saga waits, counted from the commit that finds no signal for it
 * @param onTimeout  what the saga does when nobody signalled in time
 * @param rejectWhen a CEL condition over {@code signal} (and {@code input}, {@code steps}) that makes the signal a
 *                   refusal, which fails the step: the saga compensates what came before; null when every valid signal
 *                   lets the saga go on
 * @param roles      the roles that may send the signal over HTTP; empty: the operator role
 */
public record Await(String signal, InputSchema payload, Duration timeout, OnTimeout onTimeout, Condition rejectWhen,
                    List<String> roles) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Who may send a signal when the definition names nobody: the role of the other operator endpoints. */
    public static final String DEFAULT_ROLE = "saga-operator";

    /** What a saga does when its wait runs out. */
    public enum OnTimeout {
        /** Undo the steps before the await, as a failure would. */
        COMPENSATE,
        /** A person decides: the saga is ESCALATED, and an operator may retry (wait again), skip or compensate it. */
        ESCALATE,
        /** Go on without a signal: the step's output is {@code {"timedOut": true}}. */
        CONTINUE;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Await {
        Objects.requireNonNull(signal, "signal");
        if (!NAME.matcher(signal).matches()) {
            throw new IllegalArgumentException("signal '" + signal + "' must be lower-case letters, digits and '-' (at most 63)");
        }
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout '" + timeout + "' must be positive");
        }
        Objects.requireNonNull(onTimeout, "onTimeout");
        roles = roles == null || roles.isEmpty() ? List.of(DEFAULT_ROLE) : List.copyOf(roles);
    }

    /** What is wrong with a signal's payload; empty when the saga may take it. */
    public List<InputSchema.Violation> violations(JsonNode payload) {
        return this.payload.validate(payload);
    }
}
