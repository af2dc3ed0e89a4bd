package io.sagaorchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.engine.SagaEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.time.Duration;

/** What every HTTP start shares once its input is valid: start for the caller, run it here, answer within the wait. */
@ApplicationScoped
public class SagaStarts {

    private final SagaEngine engine;
    private final StartAnswers answers;
    private final SecurityIdentity caller;

    SagaStarts(SagaEngine engine, StartAnswers answers, SecurityIdentity caller) {
        this.engine = engine;
        this.answers = answers;
        this.caller = caller;
    }

    /** Starts for the authenticated caller, whose idempotency keys are its own. */
    public Response start(SagaDefinition definition, JsonNode input, String businessKey, String idempotencyKey, int waitSeconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        SagaEngine.Started started = engine.start(definition, input, businessKey, caller.getPrincipal().getName(), idempotencyKey,
                Duration.ofSeconds(waitSeconds));
        return answers.await(started, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
