package io.sagaorchestrator.definitions;

import io.sagaorchestrator.steps.OwnershipPolicy;


import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One step of a saga: its forward action and the compensation that undoes it.
 *
 * @param compensation the action that undoes this step, or null when it has nothing to undo
 * @param timeout      how long one attempt of a remote call may take
 * @param onFailure    what the saga does when this step gives up
 * @param http         the call the step declares instead of an action bean (then {@code action} is its label), or null
 * @param compensationHttp the call its compensation declares (then {@code compensation} is its label), or null
 * @param deadline  how long the saga may stay on this step going forward, counted from when it reached it; null when
 *                  only the saga's own deadline (if any) applies
 * @param onUncertainOwnership what its compensation does with an effect that may be somebody else's
 * @param when      the condition on which the step runs, or null when it always does; a step whose condition is false is
 *                  recorded as skipped, with the value it saw
 * @param verify    the check that its compensation really undid (its {@code verify:} block), or null when none is declared
 * @param await     for a step of kind {@link StepKind#AWAIT}: the signal it waits for; else null
 * @param item      for a branch of a {@code forEach}: the item it runs (its name ends in {@code [index]}); else null
 */
public record StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                             RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure,
                             HttpCall http, HttpCall compensationHttp, Duration deadline, OwnershipPolicy onUncertainOwnership,
                             Condition when, CompensationCheck verify, Await await, ForEach.Item item) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ITEM_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}\\[[0-9]{1,2}]");

    public StepDefinition {
        Objects.requireNonNull(name, "name");
        if (item != null ? !ITEM_NAME.matcher(name).matches() : !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("step name '" + name + "' must be lower-case letters, digits and '-' (at most 63)");
        }
        Objects.requireNonNull(kind, "type");
        if (action == null || action.isBlank()) {
            throw new IllegalArgumentException("step '" + name + "' names no action");
        }
        if (kind == StepKind.REMOTE && (compensation == null || compensation.isBlank())) {
            throw new IllegalArgumentException("remote step '" + name
                    + "' has no compensation: a remote effect that cannot be undone would break the saga's promise");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("step '" + name + "' timeout must be positive, got " + timeout);
        }
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(compensationRetry, "compensationRetry");
        Objects.requireNonNull(onFailure, "onFailure");
        if (kind == StepKind.LOCAL && (http != null || compensationHttp != null)) {
            throw new IllegalArgumentException("local step '" + name + "' declares an http call: a local step changes this"
                    + " service's database in the saga's transaction; use type remote or outbox to call a third party");
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("step '" + name + "' deadline must be positive, got " + deadline);
        }
        Objects.requireNonNull(onUncertainOwnership, "onUncertainOwnership");
        if (verify != null && (!kind.callsThirdParty() || compensation == null)) {
            throw new IllegalArgumentException("step '" + name + "' declares a 'verify' check, but "
                    + (compensation == null ? "it has no compensation to check"
                    : "it is local: its compensation commits with the saga log, so there is no third party to ask"));
        }
        if ((kind == StepKind.AWAIT) != (await != null)) {
            throw new IllegalArgumentException("step '" + name + "' " + (await == null ? "is an await without a signal"
                    : "waits for a signal but is of type " + kind));
        }
        if (kind == StepKind.AWAIT && (compensation != null || http != null || verify != null || deadline != null)) {
            throw new IllegalArgumentException("await '" + name + "' changes nothing and so has nothing to undo: it takes no"
                    + " compensation, http, verify or deadline (its timeout is its deadline)");
        }
    }

    /** A step that runs no item of a list. */
    public StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                          RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure,
                          HttpCall http, HttpCall compensationHttp, Duration deadline, OwnershipPolicy onUncertainOwnership,
                          Condition when, CompensationCheck verify, Await await) {
        this(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http, compensationHttp, deadline,
                onUncertainOwnership, when, verify, await, null);
    }

    /** A step that waits for no signal. */
    public StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                          RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure,
                          HttpCall http, HttpCall compensationHttp, Duration deadline, OwnershipPolicy onUncertainOwnership,
                          Condition when, CompensationCheck verify) {
        this(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http, compensationHttp, deadline,
                onUncertainOwnership, when, verify, null);
    }

    /** This step as the branch of {@code forEach} that runs its item {@code index}, named {@code <name>[<index>]}. */
    public StepDefinition forItem(ForEach forEach, int index) {
        return new StepDefinition(ForEach.itemName(name, index), kind, action, compensation, timeout, retry, compensationRetry,
                onFailure, http, compensationHttp, deadline, onUncertainOwnership, when, verify, await,
                new ForEach.Item(forEach, index));
    }

    /** A step named {@code name} that waits for the signal {@code await} declares. */
    public static StepDefinition awaiting(String name, Await await) {
        // it fails (sends the saga to compensation) only by a refusal or a timeout that compensates: only then must the
        // steps before it be undoable
        FailurePolicy onFailure = await.rejectWhen() != null || await.onTimeout() == Await.OnTimeout.COMPENSATE
                ? FailurePolicy.COMPENSATE : FailurePolicy.ESCALATE;
        return new StepDefinition(name, StepKind.AWAIT, "await " + await.signal(), null, await.timeout(), RetryPolicy.DEFAULT,
                RetryPolicy.DEFAULT, onFailure, null, null, null, OwnershipPolicy.ESCALATE, null, null, await);
    }

    /** Its effect needs no undoing whatever its record says: a wait for a signal changed nothing. */
    public boolean changesNothing() {
        return kind == StepKind.AWAIT;
    }

    /** A step whose compensation declares no check. */
    public StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                          RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure,
                          HttpCall http, HttpCall compensationHttp, Duration deadline, OwnershipPolicy onUncertainOwnership,
                          Condition when) {
        this(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http, compensationHttp, deadline,
                onUncertainOwnership, when, null);
    }

    /** The same step with this check of its compensation. */
    public StepDefinition withVerify(CompensationCheck check) {
        return new StepDefinition(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http,
                compensationHttp, deadline, onUncertainOwnership, when, check, await, item);
    }

    /** A step that always runs. */
    public StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                          RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure,
                          HttpCall http, HttpCall compensationHttp, Duration deadline, OwnershipPolicy onUncertainOwnership) {
        this(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http, compensationHttp, deadline,
                onUncertainOwnership, null, null);
    }

    /** This step, running only when {@code when} holds (always, when null). */
    public StepDefinition withWhen(Condition when) {
        return new StepDefinition(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http,
                compensationHttp, deadline, onUncertainOwnership, when, verify, await, item);
    }

    /** A step without a deadline of its own, whose compensation escalates an effect that may be somebody else's. */
    public StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                          RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure,
                          HttpCall http, HttpCall compensationHttp) {
        this(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, http, compensationHttp, null,
                OwnershipPolicy.ESCALATE);
    }

    /** A step whose forward action and compensation are action beans. */
    public StepDefinition(String name, StepKind kind, String action, String compensation, Duration timeout,
                          RetryPolicy retry, RetryPolicy compensationRetry, FailurePolicy onFailure) {
        this(name, kind, action, compensation, timeout, retry, compensationRetry, onFailure, null, null);
    }

    /** The name the definition writes it under: a forEach's item without its {@code [index]}. */
    public String writtenName() {
        return item == null ? name : name.substring(0, name.lastIndexOf('['));
    }

    public boolean hasCompensation() {
        return compensation != null;
    }

    /**
     * Its compensation is an action bean undoing a third party's effect: the only kind that can meet an effect of
     * uncertain ownership, and so the only one {@code onUncertainOwnership} reaches. A local step's effect commits with
     * the saga log; a declared call is addressed by what the step recorded or by its key.
     */
    public boolean compensationMayMeetUncertainOwnership() {
        return kind.callsThirdParty() && hasCompensation() && compensationHttp == null;
    }
}
