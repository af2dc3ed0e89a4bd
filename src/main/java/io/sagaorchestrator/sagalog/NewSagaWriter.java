package io.sagaorchestrator.sagalog;

import io.agroal.api.AgroalDataSource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Records new sagas with group commit: the sagas that callers start while one commit is under way
 * go to the database together in the next one, in one transaction and one round trip.
 *
 * <p>Starting a saga is the one commit every saga pays before any work (the write-ahead intent of
 * its first call). Under load, sagas start concurrently, and one commit for many of them saves a
 * transaction, a round trip and a WAL flush each. Nobody waits for a batch to fill: a lone caller
 * is committed at once, and the batch is whatever queued up meanwhile. Each caller returns only
 * once its saga is durable, as before.
 *
 * <p>If the database refuses the batch's values (a data or constraint error), each saga is tried
 * again alone, so one saga the database refuses does not fail the others. Any other failure (no
 * connection, a commit whose outcome is unknown) fails the whole batch at once: each caller gets an
 * error and learns what happened by repeating its request with its idempotency key.
 */
@ApplicationScoped
public class NewSagaWriter {

    private static final Logger LOG = Logger.getLogger(NewSagaWriter.class);

    /** Bounds one transaction's size and how long its rows stay locked. */
    private static final int MAX_BATCH = 64;

    private final AgroalDataSource dataSource;
    private final SagaLog log;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean stopped;

    NewSagaWriter(AgroalDataSource dataSource, SagaLog log) {
        this.dataSource = dataSource;
        this.log = log;
        // its own thread, outside any JTA transaction, so its connection's local transaction is its own
        this.writer = new Thread(this::run, "saga-log-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Records the saga durably; returns once committed.
     *
     * @return true when recorded, false when its idempotency key belongs to another saga (nothing written)
     * @throws SagaRefusedException when the database refused the saga's values
     * @throws SagaLogUnavailableException when it could not be written
     */
    public boolean record(NewSaga saga) {
        Request request = new Request(saga, new CompletableFuture<>());
        queue.add(request);
        if (stopped) {
            failQueued();
        }
        try {
            return request.recorded().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new SagaLogUnavailableException(e.getCause());
        }
    }

    private void run() {
        List<Request> batch = new ArrayList<>(MAX_BATCH);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                write(batch);
            } catch (Throwable unexpected) {
                // the writer must outlive anything one batch throws, or every later start would wait forever
                LOG.errorf(unexpected, "Recording %d new sagas failed unexpectedly", batch.size());
                batch.forEach(r -> r.recorded().completeExceptionally(new SagaLogUnavailableException(unexpected)));
            }
            batch.clear();
        }
        failQueued();
    }

    private void failQueued() {
        for (Request r = queue.poll(); r != null; r = queue.poll()) {
            r.recorded().completeExceptionally(new SagaLogUnavailableException(new IllegalStateException("the service is stopping")));
        }
    }

    private void write(List<Request> batch) {
        try {
            boolean[] recorded = commit(batch);
            for (int i = 0; i < recorded.length; i++) {
                batch.get(i).recorded().complete(recorded[i]);
            }
        } catch (SQLException | RuntimeException e) {
            if (!refusedARow(e)) {
                // the database is unreachable or the commit's outcome is unknown: trying each saga again
                // would only multiply the wait, and the callers' idempotency keys settle what happened
                batch.forEach(r -> r.recorded().completeExceptionally(new SagaLogUnavailableException(e)));
            } else if (batch.size() == 1) {
                batch.get(0).recorded().completeExceptionally(new SagaRefusedException(e));
            } else {
                LOG.debugf("A group commit of %d new sagas was refused (%s); committing them one by one", batch.size(), e.getMessage());
                batch.forEach(r -> write(List.of(r)));
            }
        }
    }

    /** A data exception or a broken constraint: some saga's values were refused, not the database unavailable. */
    private static boolean refusedARow(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    private boolean[] commit(List<Request> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean[] recorded = log.insertAll(c, batch.stream().map(Request::saga).toList());
                c.commit();
                return recorded;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        writer.interrupt();
    }

    private record Request(NewSaga saga, CompletableFuture<Boolean> recorded) {
    }
}
