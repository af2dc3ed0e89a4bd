package io.sagaorchestrator.steps;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * A call to a system the saga cannot roll back. It runs outside any database transaction, after
 * the engine has committed its intent, and must be safe to issue again for the same step (the
 * engine re-issues it when an earlier outcome is unknown).
 *
 * <p>Implementations are CDI beans named with {@code @Named}: definitions refer to them by that name.
 */
public interface RemoteAction {

    /** The third party called: calls to one third party share its circuit breaker and bulkhead. */
    String thirdParty();

    /** Performs the call and returns what later steps and compensations need (never a secret). */
    JsonNode execute(StepContext context);

    /**
     * The fields of its output that later steps and its compensation read: an output an operator gives for a step
     * done by hand must have them. A declared call needs none here: its readers' references say what they read.
     */
    default Set<String> outputFields() {
        return Set.of();
    }

    /** What the saga log keeps of the request, with secrets left out; null keeps nothing. */
    default JsonNode describeRequest(StepContext context) {
        return null;
    }
}
