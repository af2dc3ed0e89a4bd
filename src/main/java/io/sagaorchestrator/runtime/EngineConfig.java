package io.sagaorchestrator.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "saga.engine")
public interface EngineConfig {

    /** This instance's name in the log (owner of leases); defaults to host, process id and a random suffix. */
    Optional<String> instanceId();

    /** How long a saga stays with an instance that stopped renewing its lease before another may take it. */
    @WithDefault("15s")
    Duration lease();

    /** How often an instance renews the leases of the sagas it is advancing; well under the lease. */
    @WithDefault("5s")
    Duration leaseRenewal();

    /** Threads that advance sagas; remote calls block one of them each. */
    @WithDefault("64")
    int workers();

    /**
     * Multiplies every retry delay of every definition. 1 in production; tests compress time with a
     * small factor, the way a workflow test environment skips time, instead of shipping other definitions.
     */
    @WithDefault("1.0")
    double delayFactor();
}
