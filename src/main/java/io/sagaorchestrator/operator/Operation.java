package io.sagaorchestrator.operator;

import io.sagaorchestrator.core.SagaStatus;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an operator may do to a saga by hand, in which states, and how the API and the console name it: adding an
 * operation is a constant here, its rule in the core, and its case in {@link ManualOperations#apply}.
 */
public enum Operation {
    COMPENSATE(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPLETED), true, "compensated", "Compensate",
            "Give up on this saga: every step that took effect, or may have, is undone in reverse order."),
    RETRY(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING, SagaStatus.ESCALATED), true, "retried", "Retry",
            "The current step is tried again now, with a fresh attempt budget."),
    RESOLVE(EnumSet.of(SagaStatus.ESCALATED), true, "resolved", "Resolve",
            "Close this saga as RESOLVED after you repaired it by hand; the reason says what you did."),
    PAUSE(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING), true, "paused", "Pause",
            "Hold this saga's next attempt back until it is resumed, e.g. while its third party is down; an attempt in flight"
                    + " ends first. Its deadline keeps counting."),
    RESUME(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING), true, "resumed", "Resume",
            "Let this paused saga go on: its next attempt is made now."),
    /** Needs the step and its output besides the reason. */
    SKIP(EnumSet.of(SagaStatus.RUNNING, SagaStatus.ESCALATED), false, "skipped", "Skip a step done by hand",
            "You carried the current step out yourself: give its output, and the saga goes on with the next step."),
    /** May be asked as a dry run. */
    REPLAN(EnumSet.of(SagaStatus.RUNNING, SagaStatus.COMPENSATING, SagaStatus.ESCALATED), false, "re-planned",
            "Re-plan on the current definition", "Move this saga to the current version of its definition and go on where it"
            + " stopped; preview the changes first.");

    /**
     * The operations that need nothing but a reason (and {@code force}), as a JAX-RS path pattern: annotations need a
     * constant, and {@code OperationRoutesTest} keeps it equal to {@link #plain()}.
     */
    public static final String PLAIN_PATHS = "compensate|retry|resolve|pause|resume";
    /** Every operation, as a JAX-RS path pattern (kept equal to the constants by the same test). */
    public static final String ALL_PATHS = PLAIN_PATHS + "|skip|replan";
    /** What a bulk request answers when its operation is not one of {@link #PLAIN_PATHS}. */
    public static final String PLAIN_PATHS_IN_WORDS = "must be compensate, retry, resolve, pause or resume";

    private final Set<SagaStatus> allowedFrom;
    private final boolean plain;
    private final String pastTense;
    private final String title;
    private final String help;

    Operation(Set<SagaStatus> allowedFrom, boolean plain, String pastTense, String title, String help) {
        this.allowedFrom = allowedFrom;
        this.plain = plain;
        this.pastTense = pastTense;
        this.title = title;
        this.help = help;
    }

    public boolean allowedFrom(SagaStatus status) {
        return allowedFrom.contains(status);
    }

    /** Its name in routes, requests and the audit trail. */
    public String path() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code A COMPLETED saga cannot be} ...: the operation in the words of a refusal. */
    public String pastTense() {
        return pastTense;
    }

    /** The console's button for a saga in {@code status}. */
    public String title(SagaStatus status) {
        return this == COMPENSATE && status == SagaStatus.COMPLETED ? "Compensate a completed saga" : title;
    }

    /** What the console says the operation does to a saga in {@code status}. */
    public String help(SagaStatus status) {
        if (this == COMPENSATE && status == SagaStatus.COMPLETED) {
            return "This saga COMPLETED: compensating it undoes a finished business operation, every step in reverse order.";
        }
        if (this == RETRY && status == SagaStatus.ESCALATED) {
            return "Once the cause is fixed: the compensation resumes with a fresh attempt budget.";
        }
        return help;
    }

    /** The operations a request with a reason alone can ask for, one saga or many. */
    public static List<Operation> plain() {
        return Arrays.stream(values()).filter(o -> o.plain).toList();
    }

    /** The operation a route or a stored job names. */
    public static Optional<Operation> named(String path) {
        return Arrays.stream(values()).filter(o -> o.path().equals(path)).findFirst();
    }

    public static List<String> allowedIn(SagaStatus status) {
        return EnumSet.allOf(Operation.class).stream().filter(o -> o.allowedFrom(status)).map(Operation::path).toList();
    }

    static String paths(List<Operation> operations) {
        return operations.stream().map(Operation::path).collect(Collectors.joining("|"));
    }
}
