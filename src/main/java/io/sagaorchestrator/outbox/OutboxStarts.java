package io.sagaorchestrator.outbox;

import io.quarkus.narayana.jta.QuarkusTransaction;
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

    OutboxStarts(SagaOutbox outbox, StartAnswers answers) {
        this.outbox = outbox;
        this.answers = answers;
    }

    public Response start(String definition, Object payload, String businessKey, String idempotencyKey, int waitSeconds) {
        SagaEngine.Started started = QuarkusTransaction.requiringNew()
                .call(() -> outbox.dispatch(definition, payload, businessKey, idempotencyKey));
        return answers.await(started, Duration.ofSeconds(waitSeconds));
    }
}
