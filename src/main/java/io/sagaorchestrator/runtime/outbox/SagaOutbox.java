package io.sagaorchestrator.runtime.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.runtime.SagaEngine;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The transactional outbox for code inside the service: call {@link #dispatch} from your own
 * {@code @Transactional} method, beside your own writes.
 *
 * <pre>{@code
 * @Transactional
 * void rename(long userId, String name) {
 *     User.update("name = ?1 where id = ?2", name, userId);
 *     outbox.dispatch("push-crm", Map.of("user_id", userId));
 * }
 * }</pre>
 *
 * If the transaction rolls back, nothing is left behind. Once it commits, the saga runs (its
 * remote calls retried, escalated and alerted like any step), even if the process dies right
 * after the commit: another instance, or this one after a restart, takes it over.
 */
@ApplicationScoped
public class SagaOutbox {

    /**
     * Whose idempotency keys the service's own code uses: the code is one trusted party choosing its
     * keys (e.g. from the event it handles), and no HTTP caller may reach them. The colon keeps it
     * apart from every HTTP Basic user name, which cannot contain one (RFC 7617).
     */
    public static final String IN_PROCESS = ":in-process";

    private final SagaEngine engine;
    private final DefinitionRegistry definitions;
    private final ObjectMapper json;

    SagaOutbox(SagaEngine engine, DefinitionRegistry definitions, ObjectMapper json) {
        this.engine = engine;
        this.definitions = definitions;
        this.json = json;
    }

    public SagaEngine.Started dispatch(String definition, Object payload) {
        return dispatch(definition, payload, null, null);
    }

    /**
     * @param businessKey    what operators search the saga by (may be null)
     * @param idempotencyKey the same key never enlists a second saga (may be null); the service's keys
     *                       are apart from those of HTTP callers
     * @throws IllegalStateException    when called outside a transaction
     * @throws IllegalArgumentException when there is no such definition
     * @throws InvalidSagaInputException when the payload is not what the definition's {@code input:} declares
     */
    public SagaEngine.Started dispatch(String definition, Object payload, String businessKey, String idempotencyKey) {
        return dispatchFor(IN_PROCESS, definition, payload, businessKey, idempotencyKey);
    }

    /** As {@link #dispatch(String, Object, String, String)}, for a caller whose keys are its own (an HTTP principal). */
    public SagaEngine.Started dispatchFor(String caller, String definition, Object payload, String businessKey, String idempotencyKey) {
        SagaDefinition d = definitions.current(definition)
                .orElseThrow(() -> new IllegalArgumentException("there is no saga definition '" + definition + "'"));
        JsonNode input = json.valueToTree(payload);
        List<InputSchema.Violation> violations = d.inputViolations(input);
        if (!violations.isEmpty()) {
            throw new InvalidSagaInputException(definition, violations);
        }
        return engine.enlist(d, input, businessKey, caller, idempotencyKey);
    }
}
