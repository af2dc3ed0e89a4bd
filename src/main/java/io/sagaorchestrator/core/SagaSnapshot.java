package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A saga's row in the log at one version. Immutable: the engine derives the next snapshot and the
 * log stores it only if nobody else advanced the saga meanwhile (the version is the fence).
 *
 * @param attempt    the number of the last attempt of the current step in the current direction
 * @param budgetBase attempts made before an operator granted a fresh budget (0 when none was)
 * @param traceParent the W3C {@code traceparent} of the saga's root span, which every later span of the saga descends
 *                    from, on any instance; null when tracing was off or the saga has not run yet (dispatched by SQL)
 * @param deadlineAt  when the saga stops going forward and compensates (its definition's {@code deadline:} counted from
 *                    its creation); null when it has none, or lifted by an operator's retry, or not yet run (dispatched by SQL)
 * @param stepDeadlineAt the same for its current step (the step's {@code deadline:} counted from when the saga reached
 *                    it); null when the step has none or the saga has not committed its move onto the step yet
 */
public record SagaSnapshot(UUID id, String definitionName, int definitionVersion, String definitionHash,
                           SagaStatus status, String businessKey, JsonNode input, JsonNode result,
                           int stepIndex, int attempt, int budgetBase, Map<String, StepState> stepStates,
                           long version, String lastError, Instant createdAt, String traceParent,
                           Instant deadlineAt, Instant stepDeadlineAt) {

    /** A saga without deadlines. */
    public SagaSnapshot(UUID id, String definitionName, int definitionVersion, String definitionHash,
                        SagaStatus status, String businessKey, JsonNode input, JsonNode result,
                        int stepIndex, int attempt, int budgetBase, Map<String, StepState> stepStates,
                        long version, String lastError, Instant createdAt, String traceParent) {
        this(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result, stepIndex, attempt,
                budgetBase, stepStates, version, lastError, createdAt, traceParent, null, null);
    }

    public SagaSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(input, "input");
        stepStates = Map.copyOf(stepStates);
    }

    public SagaSnapshot withStatus(SagaStatus status) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public SagaSnapshot withAttempt(int attempt) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public SagaSnapshot atStep(int stepIndex) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, 0, 0, stepStates, version, lastError, createdAt, traceParent, deadlineAt, null);
    }

    /** A new attempt budget for the current step, granted by an operator; attempt numbers go on. */
    public SagaSnapshot withFreshBudget() {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, attempt, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    /** Attempts of the current step counted against its budget. */
    public int attemptsUsed() {
        return attempt - budgetBase;
    }

    public SagaSnapshot withStepState(String step, StepState state) {
        var states = new LinkedHashMap<>(stepStates);
        states.put(step, state);
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, states, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    /** The saga with these states of its steps in place of the ones it has. */
    public SagaSnapshot withStepStates(Map<String, StepState> states) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, states, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public SagaSnapshot withResult(JsonNode result) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public SagaSnapshot withLastError(String lastError) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public SagaSnapshot withVersion(long version) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    /** The saga moved by an operator to another version of its definition. */
    public SagaSnapshot withDefinition(int definitionVersion, String definitionHash) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public SagaSnapshot withTraceParent(String traceParent) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    /** With these deadlines; {@link #atStep} clears the step's, since the next step counts its own. */
    public SagaSnapshot withDeadlines(Instant deadlineAt, Instant stepDeadlineAt) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent, deadlineAt, stepDeadlineAt);
    }

    public StepState stepState(String step) {
        return stepStates.get(step);
    }
}
