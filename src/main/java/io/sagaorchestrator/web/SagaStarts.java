package io.sagaorchestrator.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.context.Scope;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.runtime.SagaEngine;
import io.sagaorchestrator.telemetry.SagaTracing;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.time.Duration;

/** What every HTTP start shares once its input is valid: start for the caller, run it here, answer within the wait. */
@ApplicationScoped
public class SagaStarts {

    private final SagaEngine engine;
    private final StartAnswers answers;
    private final SecurityIdentity caller;
    private final HttpServerRequest request;

    SagaStarts(SagaEngine engine, StartAnswers answers, SecurityIdentity caller, HttpServerRequest request) {
        this.engine = engine;
        this.answers = answers;
        this.caller = caller;
        this.request = request;
    }

    /** Starts for the authenticated caller, whose idempotency keys are its own, in the caller's trace when it sent one. */
    public Response start(SagaDefinition definition, JsonNode input, String businessKey, String idempotencyKey, int waitSeconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        SagaEngine.Started started;
        try (Scope ignored = SagaTracing.callerOf(request).makeCurrent()) {
            started = engine.start(definition, input, businessKey, caller.getPrincipal().getName(), idempotencyKey,
                    Duration.ofSeconds(waitSeconds));
        }
        return answers.await(started, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
