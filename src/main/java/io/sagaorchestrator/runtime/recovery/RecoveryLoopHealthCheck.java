package io.sagaorchestrator.runtime.recovery;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;

/**
 * Ready only while the recovery loop runs and can read the log: an instance whose loop is stuck
 * would accept sagas it never resumes after a failure. (The database itself is checked by the
 * datasource's own readiness check.)
 */
@Readiness
@ApplicationScoped
public class RecoveryLoopHealthCheck implements HealthCheck {

    private final RecoveryLoop loop;
    private final Duration interval;

    RecoveryLoopHealthCheck(RecoveryLoop loop, @ConfigProperty(name = "saga.recovery.interval", defaultValue = "2s") Duration interval) {
        this.loop = loop;
        this.interval = interval;
    }

    @Override
    public HealthCheckResponse call() {
        Instant last = loop.lastScan();
        boolean recent = last.isAfter(Instant.now().minus(interval.multipliedBy(5).plusSeconds(5)));
        boolean up = recent && !loop.lastScanFailed();
        return HealthCheckResponse.named("saga-recovery-loop").status(up)
                .withData("lastScan", last.toString())
                .withData("lastScanFailed", loop.lastScanFailed())
                .build();
    }
}
