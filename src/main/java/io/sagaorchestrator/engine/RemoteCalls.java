package io.sagaorchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.actions.ManualRepairRequired;
import io.sagaorchestrator.actions.RejectedFailure;
import io.sagaorchestrator.actions.RemoteAction;
import io.sagaorchestrator.actions.StepContext;
import io.sagaorchestrator.actions.StepFailure;
import io.sagaorchestrator.actions.UnavailableFailure;
import io.sagaorchestrator.actions.UnknownOutcomeFailure;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every remote call goes through SmallRye Fault Tolerance: a circuit breaker and a bulkhead per
 * third party (so one failing partner is not hammered and cannot take every worker), and the
 * step's timeout. Whatever goes wrong comes out as one of the {@link StepFailure} kinds.
 */
@ApplicationScoped
public class RemoteCalls {

    private final Map<String, Guard> perThirdParty = new ConcurrentHashMap<>();
    private final Map<Duration, Guard> perTimeout = new ConcurrentHashMap<>();
    private final int bulkhead;
    private final int breakerVolume;
    private final double breakerRatio;
    private final Duration breakerDelay;

    RemoteCalls(@ConfigProperty(name = "saga.remote.bulkhead", defaultValue = "64") int bulkhead,
                @ConfigProperty(name = "saga.remote.circuit-breaker.request-volume", defaultValue = "20") int breakerVolume,
                @ConfigProperty(name = "saga.remote.circuit-breaker.failure-ratio", defaultValue = "0.5") double breakerRatio,
                @ConfigProperty(name = "saga.remote.circuit-breaker.delay", defaultValue = "5s") Duration breakerDelay) {
        this.bulkhead = bulkhead;
        this.breakerVolume = breakerVolume;
        this.breakerRatio = breakerRatio;
        this.breakerDelay = breakerDelay;
    }

    public JsonNode call(RemoteAction action, Duration timeout, StepContext context) {
        Guard partner = perThirdParty.computeIfAbsent(action.thirdParty(), this::partnerGuard);
        Guard deadline = perTimeout.computeIfAbsent(timeout,
                t -> Guard.create().withTimeout().duration(t.toMillis(), ChronoUnit.MILLIS).done().build());
        try {
            return partner.call(() -> deadline.call(() -> action.execute(context), JsonNode.class), JsonNode.class);
        } catch (StepFailure f) {
            throw f;
        } catch (CircuitBreakerOpenException | BulkheadException e) {
            throw new UnavailableFailure(action.thirdParty() + " was not called: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new UnknownOutcomeFailure(action.thirdParty() + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (Exception e) {
            // an action that fails in an unplanned way may still have reached the third party
            throw new UnknownOutcomeFailure(action.thirdParty() + " call failed: " + e, e);
        }
    }

    private Guard partnerGuard(String thirdParty) {
        return Guard.create()
                .withDescription("third party " + thirdParty)
                .withCircuitBreaker()
                .name("saga-remote-" + thirdParty)
                .requestVolumeThreshold(breakerVolume)
                .failureRatio(breakerRatio)
                .delay(breakerDelay.toMillis(), ChronoUnit.MILLIS)
                .skipOn(List.of(RejectedFailure.class, ManualRepairRequired.class))
                .done()
                .withBulkhead().limit(bulkhead).done()
                .build();
    }
}
