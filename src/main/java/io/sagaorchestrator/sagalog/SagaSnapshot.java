package io.sagaorchestrator.sagalog;

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
 */
public record SagaSnapshot(UUID id, String definitionName, int definitionVersion, String definitionHash,
                           SagaStatus status, String businessKey, JsonNode input, JsonNode result,
                           int stepIndex, int attempt, int budgetBase, Map<String, StepState> stepStates,
                           long version, String lastError, Instant createdAt, String traceParent) {

    public SagaSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(input, "input");
        stepStates = Map.copyOf(stepStates);
    }

    public SagaSnapshot withStatus(SagaStatus status) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    public SagaSnapshot withAttempt(int attempt) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    public SagaSnapshot atStep(int stepIndex) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, 0, 0, stepStates, version, lastError, createdAt, traceParent);
    }

    /** A new attempt budget for the current step, granted by an operator; attempt numbers go on. */
    public SagaSnapshot withFreshBudget() {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, attempt, stepStates, version, lastError, createdAt, traceParent);
    }

    /** Attempts of the current step counted against its budget. */
    public int attemptsUsed() {
        return attempt - budgetBase;
    }

    public SagaSnapshot withStepState(String step, StepState state) {
        var states = new LinkedHashMap<>(stepStates);
        states.put(step, state);
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, states, version, lastError, createdAt, traceParent);
    }

    public SagaSnapshot withResult(JsonNode result) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    public SagaSnapshot withLastError(String lastError) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    public SagaSnapshot withVersion(long version) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    /** The saga moved by an operator to another version of its definition. */
    public SagaSnapshot withDefinition(int definitionVersion, String definitionHash) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    public SagaSnapshot withTraceParent(String traceParent) {
        return new SagaSnapshot(id, definitionName, definitionVersion, definitionHash, status, businessKey, input, result,
                stepIndex, attempt, budgetBase, stepStates, version, lastError, createdAt, traceParent);
    }

    public StepState stepState(String step) {
        return stepStates.get(step);
    }
}
