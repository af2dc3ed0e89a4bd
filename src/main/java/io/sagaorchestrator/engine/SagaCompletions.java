package io.sagaorchestrator.engine;

import io.sagaorchestrator.sagalog.SagaStatus;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Lets a caller of this instance wait for a saga this instance advances to end. */
@ApplicationScoped
public class SagaCompletions {

    private final ConcurrentHashMap<UUID, CompletableFuture<SagaStatus>> waiting = new ConcurrentHashMap<>();

    public CompletableFuture<SagaStatus> watch(UUID sagaId) {
        return waiting.computeIfAbsent(sagaId, id -> new CompletableFuture<>());
    }

    /** The caller stopped waiting; a saga that ends later is read from the log instead. */
    public void forget(UUID sagaId, CompletableFuture<SagaStatus> watch) {
        waiting.remove(sagaId, watch);
    }

    void ended(UUID sagaId, SagaStatus status) {
        CompletableFuture<SagaStatus> watch = waiting.remove(sagaId);
        if (watch != null) {
            watch.complete(status);
        }
    }
}
