package io.sagaorchestrator.runtime;

import io.sagaorchestrator.core.SagaSnapshot;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Lets a caller of this instance wait for a saga this instance advances to end. */
@ApplicationScoped
public class SagaCompletions {

    private final ConcurrentHashMap<UUID, CompletableFuture<SagaSnapshot>> waiting = new ConcurrentHashMap<>();

    public CompletableFuture<SagaSnapshot> watch(UUID sagaId) {
        return waiting.computeIfAbsent(sagaId, id -> new CompletableFuture<>());
    }

    /** The caller stopped waiting; a saga that ends later is read from the log instead. */
    public void forget(UUID sagaId, CompletableFuture<SagaSnapshot> watch) {
        waiting.remove(sagaId, watch);
    }

    /** Hands the ended saga, as committed, to whoever waits: the answer needs no read of the log. */
    void ended(SagaSnapshot saga) {
        CompletableFuture<SagaSnapshot> watch = waiting.remove(saga.id());
        if (watch != null) {
            watch.complete(saga);
        }
    }
}
