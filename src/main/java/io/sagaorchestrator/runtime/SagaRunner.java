package io.sagaorchestrator.runtime;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.store.SagaLog;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that advance sagas, and the leases they hold: while a saga is queued or running
 * here, its lease is renewed, so no other instance takes it; when this instance dies, renewal stops
 * and the lease runs out.
 */
@ApplicationScoped
public class SagaRunner {

    private static final Logger LOG = Logger.getLogger(SagaRunner.class);

    private final ExecutorService pool;
    private final ExecutorService branches;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
    private final SagaLog log;
    private final EngineConfig config;
    private final Instance instance;

    SagaRunner(EngineConfig config, SagaLog log, Instance instance) {
        this.config = config;
        this.log = log;
        this.instance = instance;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "saga-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        AtomicInteger b = new AtomicInteger();
        // as many as the groups in flight need, none kept idle long: a branch thread waits on a third party
        this.branches = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "saga-branch-" + b.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The threads the branches of parallel groups call their third parties on, while the saga's own thread waits for
     * them: apart from the saga threads, so that a group never waits for a saga thread its own branches hold.
     */
    ExecutorService branchThreads() {
        return branches;
    }

    /** Runs {@code work} on a saga this instance has just taken a lease on. */
    void submit(UUID sagaId, Runnable work) {
        held.add(sagaId);
        inPool(sagaId, work);
    }

    /**
     * Runs {@code work} on the calling thread, renewing the saga's lease meanwhile; what it returns
     * to do still (a runnable, or null) goes to this runner's threads, with the lease still held.
     */
    void runHere(UUID sagaId, Supplier<Runnable> work) {
        held.add(sagaId);
        Runnable rest = null;
        try {
            rest = work.get();
        } finally {
            if (rest == null) {
                held.remove(sagaId);
            }
        }
        if (rest != null) {
            inPool(sagaId, rest);
        }
    }

    private void inPool(UUID sagaId, Runnable work) {
        pool.execute(() -> {
            try {
                work.run();
            } finally {
                held.remove(sagaId);
            }
        });
    }

    /** Whether a run of this saga is queued or under way here (its lease renewed by this instance). */
    public boolean advancing(UUID sagaId) {
        return held.contains(sagaId);
    }

    public int inFlight() {
        return held.size();
    }

    @Scheduled(every = "${saga.engine.lease-renewal:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renewLeases() {
        if (held.isEmpty()) {
            return;
        }
        List<UUID> ids = List.copyOf(held);
        try {
            QuarkusTransaction.requiringNew().run(() -> log.renewLeases(instance.id(), ids, config.lease()));
        } catch (RuntimeException e) {
            LOG.warnf("Could not renew the leases of %d saga(s): %s", ids.size(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdown();
        branches.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.infof("Stopping with %d saga(s) in flight; their leases run out and another instance (or the next start) resumes them",
                        held.size());
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
