package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.definitions.Await;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.store.SignalRefusedException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Signals sent to sagas by people and programs (the HTTP API, the console): checked against the await's payload schema
 * here, then kept by {@code saga_signal} (V18), the same function applications call from their own transaction, which
 * wakes a saga that waits for it.
 */
@ApplicationScoped
public class SagaSignals {

    private final SagaLog log;
    private final DefinitionRegistry definitions;

    SagaSignals(SagaLog log, DefinitionRegistry definitions) {
        this.log = log;
        this.definitions = definitions;
    }

    /** What became of a signal: kept now ({@code firstTime}), or the same id had been sent before (nothing changed). */
    public record Sent(UUID sagaId, String signal, String signalId, String step,
                       @com.fasterxml.jackson.annotation.JsonIgnore boolean firstTime) {
    }

    /** A saga's await step for {@code signal}, which says who may send it and what it takes. */
    public record Target(SagaSnapshot saga, SagaDefinition definition, StepDefinition step) {
        public Await await() {
            return step.await();
        }
    }

    /**
     * Every role that may send some signal of a loaded definition: who has none of them can send no signal at all, and
     * learns nothing of the sagas by trying (403 before any saga is looked at).
     */
    public java.util.Set<String> signallingRoles() {
        java.util.Set<String> roles = new java.util.TreeSet<>(List.of(Await.DEFAULT_ROLE));
        definitions.all().forEach(d -> d.steps().stream().filter(s -> s.await() != null)
                .forEach(s -> roles.addAll(s.await().roles())));
        return roles;
    }

    /**
     * @throws SagaNotFoundException   when there is no such saga
     * @throws SignalRefusedException when its definition waits for no such signal
     */
    public Target target(UUID sagaId, String signal) {
        SagaSnapshot saga = log.inNewTransaction((l, c) -> l.load(sagaId)).orElseThrow(() -> new SagaNotFoundException(sagaId));
        SagaDefinition definition = definitions.forSaga(saga.definitionName(), saga.definitionVersion(), saga.definitionHash());
        StepDefinition step = definition.awaitFor(signal).orElseThrow(() -> new SignalRefusedException(
                SignalRefusedException.Why.NO_SUCH_AWAIT, "Saga " + sagaId + " (" + definition.name() + " v" + definition.version()
                + ") waits for no signal '" + signal + "'; its definition waits for: " + definition.steps().stream()
                .filter(s -> s.await() != null).map(s -> s.await().signal()).collect(Collectors.collectingAndThen(
                        Collectors.joining(", "), s -> s.isEmpty() ? "(none)" : s))));
        return new Target(saga, definition, step);
    }

    /**
     * Sends a signal whose sender may send it (the caller checked {@link Target#await()}'s roles).
     *
     * @throws InvalidSignalException  when the payload does not match the await's schema; nothing was kept
     * @throws SignalRefusedException when the saga will not take it (it waits no more, or has another); nothing changed
     */
    public Sent send(Target target, String signalId, JsonNode payload, String sender) {
        String signal = target.await().signal();
        List<InputSchema.Violation> violations = target.await().violations(payload);
        if (!violations.isEmpty()) {
            throw new InvalidSignalException(signal, violations);
        }
        boolean firstTime = log.inNewTransaction((l, c) -> l.signal(target.saga().id(), signal, payload, signalId, sender));
        return new Sent(target.saga().id(), signal, signalId, target.step().name(), firstTime);
    }
}
