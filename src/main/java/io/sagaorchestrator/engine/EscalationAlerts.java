package io.sagaorchestrator.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.sagalog.SagaSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells people that a saga needs manual repair: an ERROR log line with the saga id, the counter
 * {@code saga.escalated}, and a JSON POST to {@code saga.escalation.webhook-url} when one is set.
 * The durable record is the ESCALATED status in the log; the alert is a best-effort nudge on top.
 */
@ApplicationScoped
public class EscalationAlerts {

    private static final Logger LOG = Logger.getLogger(EscalationAlerts.class);

    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final Optional<URI> webhook;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    EscalationAlerts(MeterRegistry metrics, ObjectMapper json,
                     @ConfigProperty(name = "saga.escalation.webhook-url") Optional<URI> webhook) {
        this.metrics = metrics;
        this.json = json;
        this.webhook = webhook;
    }

    void escalated(SagaSnapshot saga) {
        LOG.errorf("Saga %s (%s) is ESCALATED and needs manual repair: %s", saga.id(), saga.definitionName(), saga.lastError());
        metrics.counter("saga.escalated", "definition", saga.definitionName()).increment();
        webhook.ifPresent(url -> post(url, saga));
    }

    private void post(URI url, SagaSnapshot saga) {
        ObjectNode alert = json.createObjectNode()
                .put("sagaId", saga.id().toString())
                .put("definition", saga.definitionName())
                .put("status", saga.status().name())
                .put("businessKey", saga.businessKey())
                .put("reason", saga.lastError())
                .put("at", Instant.now().toString());
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alert.toString()))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null || response.statusCode() >= 300) {
                LOG.warnf("Escalation alert for saga %s was not accepted by the webhook: %s", saga.id(),
                        error != null ? error.toString() : "HTTP " + response.statusCode());
            }
        });
    }
}
