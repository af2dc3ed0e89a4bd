package io.sagaorchestrator.telemetry;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.stream.Stream;

/**
 * Step latency as a histogram ({@code saga_step_attempt_seconds_bucket}): a mean and a maximum per instance hide the slow
 * tail, and quantiles cannot be added up across instances, buckets can (the dashboard's p50/p95 by outcome). Fixed
 * buckets from 10 ms (a local step) to 30 s (a remote call near its timeout), ten series per step, direction and outcome.
 */
@Singleton
public class StepLatencyHistogram {

    private static final double[] BUCKETS_NANOS = Stream.of("PT0.01S", "PT0.05S", "PT0.1S", "PT0.25S", "PT0.5S", "PT1S",
                    "PT2.5S", "PT5S", "PT10S", "PT30S")
            .mapToDouble(d -> Duration.parse(d).toNanos()).toArray();

    @Produces
    @Singleton
    MeterFilter stepLatencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!"saga.step.attempt".equals(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS_NANOS).build().merge(config);
            }
        };
    }
}
