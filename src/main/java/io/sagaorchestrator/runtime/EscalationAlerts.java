package io.sagaorchestrator.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.core.SagaSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;


/**
 * Tells people that a saga needs manual repair, once the escalation is committed: an ERROR log line with the saga id and
 * the counter {@code saga.escalated}. The webhook's alert is owed in the escalation's own commit (see
 * {@link SagaLog#carryOut}), and {@link EscalationWebhook} delivers it.
 */
@ApplicationScoped
public class EscalationAlerts {

    private static final Logger LOG = Logger.getLogger(EscalationAlerts.class);

    private final MeterRegistry metrics;

    EscalationAlerts(MeterRegistry metrics) {
        this.metrics = metrics;
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
