package io.sagaorchestrator.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.store.SagaQueries;
import io.sagaorchestrator.store.SagaViews;
import io.sagaorchestrator.runtime.Instance;
import io.sagaorchestrator.store.BulkJobs;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One manual operation over many sagas, as a server-side job. The sagas are chosen when the job is
 * submitted (what the operator saw is what gets changed) and stored with it, so the job survives a
 * restart: any instance takes over a job whose lease ran out and goes on with the sagas not done
 * yet. Each saga is changed and its outcome recorded in one transaction, through the same
 * {@link ManualOperations} as a single operation, with the same checks and audit entry.
 */
@ApplicationScoped
public class BulkOperations {

    private static final Logger LOG = Logger.getLogger(BulkOperations.class);
    static final int MAX_SAGAS = 10_000;
    private static final int BATCH = 50;

    private final BulkJobs jobs;
    private final SagaQueries queries;
    private final ManualOperations operations;
    private final Instance instance;

    BulkOperations(BulkJobs jobs, SagaQueries queries, ManualOperations operations, Instance instance) {
        this.jobs = jobs;
        this.queries = queries;
        this.operations = operations;
        this.instance = instance;
    }

    /** Records the job with the sagas the filter matches now; they are worked on in the background. */
    public UUID submit(Operation operation, OperationRequest request, SagaQueries.Filter filter, JsonNode filterJson, Actor actor) {
        List<UUID> sagas = matching(filter);
        UUID id = UUID.randomUUID();
        BulkJobs.Order order = new BulkJobs.Order(operation.path(), request.reason(), request.forced(), actor.name(),
                actor.subject());
        QuarkusTransaction.requiringNew().run(() -> jobs.insert(id, order, filterJson, sagas));
        LOG.infof("Bulk %s %s by %s submitted for %d saga(s)", operation.path(), id, actor.name(), sagas.size());
        return id;
    }

    /** The sagas a job over {@code filter} would be submitted for, now. */
    public List<UUID> matching(SagaQueries.Filter filter) {
        List<UUID> sagas = new ArrayList<>();
        String cursor = null;
        do {
            SagaViews.Page page = queries.list(filter, cursor, 500);
            page.items().forEach(s -> sagas.add(s.sagaId()));
            cursor = page.nextCursor();
            if (sagas.size() > MAX_SAGAS) {
                throw new TooManySagasException(MAX_SAGAS);
            }
        } while (cursor != null);
        return sagas;
    }

    public Optional<BulkJobs.Job> job(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> jobs.find(id));
    }

    @Scheduled(every = "${saga.bulk.interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void work() {
        try {
            QuarkusTransaction.requiringNew().call(() -> jobs.claim(instance.id())).ifPresent(this::run);
        } catch (RuntimeException e) {
            LOG.warnf("Bulk operations could not run now: %s", e.getMessage());
        }
    }

    private void run(UUID bulkId) {
        BulkJobs.Order order = QuarkusTransaction.requiringNew().call(() -> jobs.order(bulkId));
        Operation operation = Operation.named(order.operation()).orElseThrow();
        OperationRequest request = new OperationRequest(order.reason(), order.force());
        Actor actor = new Actor(order.actor(), order.actorSubject());
        while (true) {
            List<UUID> batch = QuarkusTransaction.requiringNew().call(() -> jobs.nextSagas(bulkId, instance.id(), BATCH));
            if (batch.isEmpty()) {
                break;
            }
            batch.forEach(saga -> applyOne(bulkId, saga, operation, request, actor));
        }
        QuarkusTransaction.requiringNew().run(() -> jobs.finish(bulkId, instance.id()));
        LOG.infof("Bulk %s %s finished", operation.path(), bulkId);
    }

    /** The operation and its item's outcome commit together, so a restart never applies it twice. */
    private void applyOne(UUID bulkId, UUID sagaId, Operation operation, OperationRequest request, Actor actor) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                ManualOperations.Result r = operations.apply(sagaId, operation, actor, request);
                jobs.recordOutcome(bulkId, sagaId, "APPLIED", r.statusAfter(), "audit entry " + r.auditId());
            });
        } catch (OperationRefusedException e) {
            QuarkusTransaction.requiringNew().run(() -> jobs.recordOutcome(bulkId, sagaId, "REFUSED", e.status().name(), e.getMessage()));
        } catch (SagaNotFoundException e) {
            QuarkusTransaction.requiringNew().run(() -> jobs.recordOutcome(bulkId, sagaId, "FAILED", null, e.getMessage()));
        }
    }
}
