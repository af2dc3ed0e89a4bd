package io.sagaorchestrator.runtime.dispatch;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sagaorchestrator.runtime.recovery.RecoveryLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Starts the sagas applications dispatch with {@code saga_dispatch(...)} (see the V10 migration) as soon as their
 * transaction commits: PostgreSQL notifies channel {@value #CHANNEL} on that commit, and this instance then takes
 * what is due, as the recovery scan would at its next run. A notification lost while the connection was down only
 * costs time: the scan finds the saga anyway, and every (re)connection takes what is due at once.
 *
 * <p>One thread holds one connection of the {@code dispatch-listener} datasource for as long as it listens: a pool of
 * its own, without JTA, so it takes none of the connections sagas need and never joins a transaction.
 */
@ApplicationScoped
public class DispatchListener {

    static final String CHANNEL = "saga_dispatched";
    private static final Logger LOG = Logger.getLogger(DispatchListener.class);
    /** How long the thread waits for a notification before it checks that its connection still works. */
    private static final int WAIT_MILLIS = 10_000;
    /** A connection that does not answer the check within this is given up and replaced. */
    private static final int CHECK_TIMEOUT_MILLIS = 10_000;
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final AgroalDataSource connections;
    private final RecoveryLoop recovery;
    private volatile boolean stopping;
    private Thread thread;

    DispatchListener(@DataSource("dispatch-listener") AgroalDataSource connections, RecoveryLoop recovery) {
        this.connections = connections;
        this.recovery = recovery;
    }

    void start(@Observes StartupEvent started) {
        thread = new Thread(this::listen, "saga-dispatch-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
        if (thread != null) { // a start that failed before this bean's start
            thread.interrupt();
        }
    }

    private void listen() {
        Duration retryIn = FIRST_RETRY;
        while (!stopping) {
            try (Connection c = connections.getConnection(); Statement s = c.createStatement()) {
                s.execute("listen " + CHANNEL);
                c.setNetworkTimeout(Runnable::run, CHECK_TIMEOUT_MILLIS);
                PGConnection pg = c.unwrap(PGConnection.class);
                LOG.debugf("Listening for dispatched sagas on channel %s", CHANNEL);
                retryIn = FIRST_RETRY;
                takeDue(); // what was dispatched while nobody listened here
                while (!stopping) {
                    PGNotification[] dispatched = pg.getNotifications(WAIT_MILLIS);
                    if (dispatched != null && dispatched.length > 0) {
                        takeDue();
                    } else {
                        s.execute("select 1");
                    }
                }
            } catch (SQLException e) {
                if (stopping) {
                    return;
                }
                LOG.warnf("Listening for dispatched sagas failed (%s); listening again in %d ms, the recovery scan starts them"
                        + " meanwhile", e.getMessage(), retryIn.toMillis());
                // the broken connection must not be handed out again by the pool
                connections.flush(AgroalDataSource.FlushMode.ALL);
                try {
                    Thread.sleep(retryIn.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                retryIn = retryIn.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryIn.multipliedBy(2);
            }
        }
    }

    private void takeDue() {
        try {
            recovery.takeDueNow();
        } catch (RuntimeException e) {
            LOG.warnf("Could not take dispatched sagas now (%s); the recovery scan takes them", e.getMessage());
        }
    }
}
