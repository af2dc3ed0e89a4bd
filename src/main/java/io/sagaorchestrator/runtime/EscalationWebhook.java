package io.sagaorchestrator.runtime;

import io.sagaorchestrator.store.EscalationConfig;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.store.EscalationAlert;
import io.sagaorchestrator.store.SagaLog;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers the escalation alerts the log owes, as webhook senders such as Stripe or GitHub do: each
 * POST carries {@code X-Saga-Alert-Id} (the same on every attempt: receivers de-duplicate by it),
 * {@code X-Saga-Timestamp} (Unix seconds) and {@code X-Saga-Signature: sha256=<hex>}, the HMAC-SHA256
 * with {@code saga.escalation.webhook-secret} of {@code "<timestamp>.<body>"}. An alert is retried
 * with exponential backoff and jitter until the receiver answers 2xx; after
 * {@code saga.escalation.delivery.give-up-after} it is dropped with an ERROR line and the counter
 * {@code saga.escalation.alerts.undelivered}. Instances share the work: alerts are claimed with
 * SKIP LOCKED, and a claim holds one for a while, like a lease.
 */
@Startup
@ApplicationScoped
public class EscalationWebhook {

    private static final Logger LOG = Logger.getLogger(EscalationWebhook.class);
    private static final int BATCH = 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Longer than sending a whole batch to a receiver that lets every request time out. */
    private static final Duration CLAIM = TIMEOUT.multipliedBy(BATCH + 2);

    private final SagaLog log;
    private final EscalationConfig config;
    private final MeterRegistry metrics;
    private final RetryPolicy backoff;
    /** Made at the first delivery: a service without a webhook loads none of the HTTP client's classes. */
    private HttpClient http;

    EscalationWebhook(SagaLog log, EscalationConfig config, MeterRegistry metrics) {
        if (config.webhookUrl().isPresent() && config.webhookSecret().isEmpty()) {
            // an unsigned alert lets anybody who finds the receiver's URL page the on-call with fake escalations
            throw new IllegalStateException("saga.escalation.webhook-url is set but saga.escalation.webhook-secret is not:"
                    + " set SAGA_ESCALATION_WEBHOOK_SECRET to a random secret shared with the receiver, which checks the"
                    + " X-Saga-Signature header with it (see docs/deploying.md, Configuration)");
        }
        this.log = log;
        this.config = config;
        this.metrics = metrics;
        EscalationConfig.Delivery d = config.delivery();
        // one attempt per run, retried without end: the give-up time bounds it, not a count
        this.backoff = new RetryPolicy(Integer.MAX_VALUE, 1, Duration.ZERO, d.initialDelay(), 2.0, d.maxDelay(), 0.2,
                List.of(), List.of());
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        return http;
    }

    @Scheduled(every = "${saga.escalation.delivery.interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliverDue() {
        if (config.webhookUrl().isEmpty()) {
            return;
        }
        List<EscalationAlert> due;
        try {
            due = QuarkusTransaction.requiringNew().call(() -> log.claimDueAlerts(BATCH, CLAIM));
        } catch (RuntimeException e) {
            LOG.warnf("Escalation alerts could not be read (is the database reachable?): %s", e.getMessage());
            return;
        }
        due.forEach(alert -> deliver(config.webhookUrl().get(), alert));
    }

    private void deliver(URI url, EscalationAlert alert) {
        String failure = send(url, alert);
        try {
            if (failure == null) {
                QuarkusTransaction.requiringNew().run(() -> log.deleteAlert(alert.id()));
            } else if (Duration.between(alert.createdAt(), Instant.now()).compareTo(config.delivery().giveUpAfter()) >= 0) {
                LOG.errorf("Escalation alert %s for saga %s was never accepted by the webhook after %d attempts over %s (last: %s);"
                        + " it is dropped: find the saga with GET /api/sagas?status=ESCALATED", alert.id(), alert.sagaId(),
                        alert.attempts(), config.delivery().giveUpAfter(), failure);
                metrics.counter("saga.escalation.alerts.undelivered").increment();
                QuarkusTransaction.requiringNew().run(() -> log.deleteAlert(alert.id()));
            } else {
                Duration retryIn = backoff.backoffAfter(alert.attempts(), ThreadLocalRandom.current().nextDouble());
                LOG.warnf("Escalation alert %s for saga %s was not accepted by the webhook (%s); attempt %d, next in %d ms",
                        alert.id(), alert.sagaId(), failure, alert.attempts(), retryIn.toMillis());
                QuarkusTransaction.requiringNew().run(() -> log.alertFailed(alert.id(), failure, retryIn));
            }
        } catch (RuntimeException e) {
            // the claim runs out and the alert is due again: at worst the receiver gets it twice, with one id
            LOG.warnf("The outcome of escalation alert %s could not be recorded: %s", alert.id(), e.getMessage());
        }
    }

    /** POSTs the alert; null when the receiver accepted it, else why not. */
    private String send(URI url, EscalationAlert alert) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-Saga-Alert-Id", alert.id().toString())
                .header("X-Saga-Timestamp", timestamp)
                .POST(HttpRequest.BodyPublishers.ofString(alert.body(), StandardCharsets.UTF_8));
        request.header("X-Saga-Signature", "sha256=" + sign(config.webhookSecret().orElseThrow(), timestamp, alert.body()));
        try {
            int status = http().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String sign(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
