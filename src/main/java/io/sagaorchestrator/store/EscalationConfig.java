package io.sagaorchestrator.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "saga.escalation")
public interface EscalationConfig {

    /** Where every escalation is POSTed as JSON; none: alerts are the ERROR log line and the metric only. */
    Optional<URI> webhookUrl();

    /** The HMAC-SHA256 key of the X-Saga-Signature header; required with a webhook URL. */
    Optional<String> webhookSecret();

    Delivery delivery();

    interface Delivery {

        /** How often an instance looks for alerts due (read by the scheduler of {@link EscalationWebhook}). */
        @WithDefault("2s")
        Duration interval();

        /** The wait after the first failed attempt; it doubles with each failure, with jitter. */
        @WithDefault("5s")
        Duration initialDelay();

        @WithDefault("10m")
        Duration maxDelay();

        /** How long after the escalation delivery keeps trying; then an ERROR line and a metric, and the alert is dropped. */
        @WithDefault("3d")
        Duration giveUpAfter();
    }
}
