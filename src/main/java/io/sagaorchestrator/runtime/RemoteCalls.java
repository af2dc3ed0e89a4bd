package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Every remote call goes through one SmallRye Fault Tolerance guard per third party: a circuit breaker and a bulkhead
 * (so one failing partner is not hammered and cannot take every worker). Inside it, the step's timeout: steps of one
 * third party have timeouts of their own but share its breaker, and a guard's timeout is fixed, so the timeout is not
 * a second guard (with its own context, metrics nobody reads and a timer task per call) but a {@link Watchdog}. A call
 * past its timeout fails inside the guard, so the breaker counts it. Whatever goes wrong comes out as one of the
 * {@link StepFailure} kinds.
 */
@ApplicationScoped
public class RemoteCalls {

    private final Map<String, Guard> perThirdParty = new ConcurrentHashMap<>();
    private final Watchdog watchdog = new Watchdog();
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

    @PreDestroy
    void stop() {
        watchdog.stop();
    }

    public JsonNode call(RemoteAction action, Duration timeout, StepContext context) {
        Guard partner = perThirdParty.computeIfAbsent(action.thirdParty(), this::partnerGuard);
        try {
            return partner.call(() -> watchdog.within(timeout, () -> action.execute(context)), JsonNode.class);
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

    /**
     * Interrupts calls that outlive their timeout, as Fault Tolerance's timeout does, without a timer task per call:
     * one daemon thread looks at the calls in flight every {@link #TICK_NANOS} (so a timeout fires up to that much late)
     * and sleeps while there are none. A call costs an entry in a set.
     */
    static final class Watchdog implements Runnable {

        static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
        private static final int RUNNING = 0;
        private static final int FINISHED = 1;
        private static final int INTERRUPTING = 2;
        private static final int TIMED_OUT = 3;

        /** A call in flight; its state says whether it finished or the watchdog timed it out first. */
        private static final class Call extends AtomicInteger {
            final Thread thread = Thread.currentThread();
            final long deadline;

            Call(long deadline) {
                this.deadline = deadline;
            }
        }

        private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
        /** Until the first call there is no thread: the first call starts it. */
        private volatile boolean asleep = true;
        private volatile boolean stopped;
        private Thread thread;

        /** Runs work on this thread; past the timeout it is interrupted, and whatever it then returns, it timed out. */
        <T> T within(Duration timeout, Supplier<T> work) {
            Call call = new Call(System.nanoTime() + timeout.toNanos());
            inFlight.add(call);
            wake();
            try {
                return work.get();
            } finally {
                inFlight.remove(call);
                if (!call.compareAndSet(RUNNING, FINISHED)) {
                    while (call.get() == INTERRUPTING) {
                        Thread.onSpinWait();
                    }
                    // the interrupt was this call's, not the caller's: it must not reach what the thread does next
                    Thread.interrupted();
                    throw new TimeoutException("timed out after " + timeout.toMillis() + " ms");
                }
            }
        }

        private void wake() {
            if (asleep) {
                synchronized (this) {
                    if (thread == null) {
                        thread = new Thread(this, "saga-remote-call-watchdog");
                        thread.setDaemon(true);
                        thread.start();
                    }
                }
                asleep = false;
                LockSupport.unpark(thread);
            }
        }

        synchronized void stop() {
            stopped = true;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            while (!stopped) {
                if (inFlight.isEmpty()) {
                    asleep = true;
                    // a call added before the flag was set is seen here; one added after it unparks this thread
                    if (inFlight.isEmpty()) {
                        LockSupport.park(this);
                    }
                    asleep = false;
                } else {
                    LockSupport.parkNanos(this, TICK_NANOS);
                }
                long now = System.nanoTime();
                for (Call call : inFlight) {
                    if (now - call.deadline >= 0 && call.compareAndSet(RUNNING, INTERRUPTING)) {
                        call.thread.interrupt();
                        call.set(TIMED_OUT);
                        inFlight.remove(call);
                    }
                }
            }
        }
    }
}
