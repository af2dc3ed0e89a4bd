package io.sagaorchestrator.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.sagalog.SagaLog;
import io.sagaorchestrator.sagalog.SagaSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.UUID;

/**
 * Tells people that a saga needs manual repair: an ERROR log line with the saga id, the counter
 * {@code saga.escalated}, and, when {@code saga.escalation.webhook-url} is set, a JSON alert owed to
 * the webhook. The alert is written in the transaction that records the escalation, so no crash
 * can lose it; {@link EscalationWebhook} delivers it until the receiver accepts it.
 */
@ApplicationScoped
public class EscalationAlerts {

    private static final Logger LOG = Logger.getLogger(EscalationAlerts.class);

    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final EscalationConfig config;

    EscalationAlerts(MeterRegistry metrics, ObjectMapper json, EscalationConfig config) {
        this.metrics = metrics;
        this.json = json;
        this.config = config;
    }

    /** Records the alert for {@code escalated} in the transaction of {@code log} that stores the escalation. */
    void owe(SagaLog log, SagaSnapshot escalated) {
        if (config.webhookUrl().isEmpty()) {
            return;
        }
        UUID alertId = UuidCreator.getTimeOrderedEpoch();
        ObjectNode alert = json.createObjectNode()
                .put("alertId", alertId.toString())
                .put("sagaId", escalated.id().toString())
                .put("definition", escalated.definitionName())
                .put("status", escalated.status().name())
                .put("businessKey", escalated.businessKey())
                .put("reason", escalated.lastError())
                .put("at", Instant.now().toString());
        log.insertAlert(alertId, escalated.id(), alert.toString());
    }

    /** Once the escalation is committed. */
    void escalated(SagaSnapshot saga) {
        LOG.errorf("Saga %s (%s) is ESCALATED and needs manual repair: %s", saga.id(), saga.definitionName(), saga.lastError());
        escalatedCounter(metrics, saga.definitionName()).increment();
    }

    static Counter escalatedCounter(MeterRegistry metrics, String definition) {
        return metrics.counter("saga.escalated", "definition", definition);
    }
}
