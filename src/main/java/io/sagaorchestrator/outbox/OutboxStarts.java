package io.sagaorchestrator.outbox;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.api.StartAnswers;
import io.sagaorchestrator.engine.SagaEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.time.Duration;

/** What the start endpoints of outbox sagas share: enlist in a transaction of their own, then wait for the outcome. */
@ApplicationScoped
public class OutboxStarts {

    private final SagaOutbox outbox;
    private final StartAnswers answers;
    private final SecurityIdentity caller;

    OutboxStarts(SagaOutbox outbox, StartAnswers answers, SecurityIdentity caller) {
        this.outbox = outbox;
        this.answers = answers;
        this.caller = caller;
    }

    /** Starts for the authenticated caller, whose idempotency keys are its own. */
    public Response start(String definition, Object payload, String businessKey, String idempotencyKey, int waitSeconds) {
        String name = caller.getPrincipal().getName();
        SagaEngine.Started started = QuarkusTransaction.requiringNew()
                .call(() -> outbox.dispatchFor(name, definition, payload, businessKey, idempotencyKey));
        return answers.await(started, Duration.ofSeconds(waitSeconds));
    }
}
