package io.sagaorchestrator.actions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A change to this service's own database. It runs inside the transaction that also records its
 * outcome in the saga log, so it is either done and logged, or neither: it never runs twice.
 * It must not commit or open a transaction of its own.
 *
 * <p>Implementations are CDI beans named with {@code @Named}: definitions refer to them by that name.
 */
public interface LocalAction {

    /** Performs the change and returns what later steps and the saga's result need. */
    JsonNode execute(StepContext context);
}
