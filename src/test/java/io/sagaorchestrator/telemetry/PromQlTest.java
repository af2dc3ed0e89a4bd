package io.sagaorchestrator.telemetry;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dashboard and alert checks are only as good as the names they find in a query. */
class PromQlTest {

    @Test
    void findsTheMetricsOfAQueryButNotItsFunctionsLabelsRangesOrVariables() {
        // given queries as the dashboard and the alert rules write them
        String quantile = "histogram_quantile(0.95, sum by (le, outcome) "
                + "(rate(saga_step_attempt_seconds_bucket{definition=~\"$definition\", direction=\"FORWARD\"}[$__rate_interval])))";
        String ratio = "sum(rate(saga_ended_total{status=\"ESCALATED\"}[5m])) / ignoring(status) sum without (status) "
                + "(rate(saga_started_total[5m] offset 1h)) > 0.5e-1 and on(instance) max(saga_stuck) >= bool 1";

        // then only the metrics are named
        assertEquals(Set.of("saga_step_attempt_seconds_bucket"), PromQl.metricNames(quantile));
        assertEquals(Set.of("saga_ended_total", "saga_started_total", "saga_stuck"), PromQl.metricNames(ratio));
    }
}
