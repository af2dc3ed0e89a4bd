package io.sagaorchestrator.web;

import io.sagaorchestrator.store.SagaNotFoundException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagaorchestrator.runtime.SagaCompletions;
import io.sagaorchestrator.runtime.SagaEngine;
import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The answer to a start request, after waiting a bounded time for the saga to end: 200 with the
 * result when it completed, 409 problem+json when it was undone or escalated, 202 with where to
 * look when it is still going.
 */
@ApplicationScoped
public class StartAnswers {

    private final SagaLog log;
    private final SagaCompletions completions;
    private final ObjectMapper json;

    StartAnswers(SagaLog log, SagaCompletions completions, ObjectMapper json) {
        this.log = log;
        this.completions = completions;
        this.json = json;
    }

    public Response await(SagaEngine.Started started, Duration wait) {
        SagaSnapshot saga = null;
        try {
            saga = started.ended().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            completions.forget(started.sagaId(), started.ended());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (saga == null) {
            // not ended here in time: it may still run, or have ended on another instance. Read through the engine's
            // connections, not the searches' (ReadConnections): a flood of searches must not hold up an answer to a start.
            saga = log.load(started.sagaId()).orElseThrow(() -> new SagaNotFoundException(started.sagaId()));
        }
        return answer(saga.id(), saga.status(), saga.result(), saga.lastError());
    }

    private Response answer(UUID sagaId, SagaStatus status, JsonNode result, String lastError) {
        URI location = URI.create("/api/sagas/" + sagaId);
        if (status == SagaStatus.COMPLETED) {
            ObjectNode body = json.createObjectNode().put("sagaId", sagaId.toString()).put("status", status.name());
            body.set("result", result);
            return Response.ok(body).location(location).build();
        }
        if (status.isTerminal()) {
            return Problem.of(Response.Status.CONFLICT, "saga-" + status.name().toLowerCase(Locale.ROOT), title(status), lastError)
                    .with("status", status.name())
                    .with("sagaId", sagaId)
                    .toResponse();
        }
        return Response.accepted(json.createObjectNode().put("sagaId", sagaId.toString()).put("status", status.name()))
                .location(location).build();
    }

    private static String title(SagaStatus status) {
        return switch (status) {
            case COMPENSATED -> "The saga failed and was undone";
            case ESCALATED -> "The saga failed and could not be undone: it waits for manual repair";
            default -> "The saga failed and was repaired by hand";
        };
    }
}
