package io.sagaorchestrator.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deterministic crashes for the consistency tests: with {@code saga.test.crash-point} set to one
 * of the {@link Point}s, the process halts (no shutdown hooks, no cleanup: as close to SIGKILL as a
 * process can do to itself) the {@code saga.test.crash-after}-th time a saga reaches that point.
 * Unset, as in production, every call is a no-op.
 */
@ApplicationScoped
public class CrashPoints {

    /** The places where a saga's state is half-way between two commits. */
    public enum Point {
        /** A remote attempt's intent is about to commit. */
        BEFORE_INTENT,
        /** The intent is committed; the remote call has not been made. */
        AFTER_INTENT,
        /** The remote call succeeded; its outcome is not logged yet. */
        AFTER_REMOTE_SUCCESS,
        /** A local step's changes are written but not committed. */
        INSIDE_LOCAL_STEP,
        /** A compensation attempt failed; the next one has not started. */
        BETWEEN_COMPENSATION_ATTEMPTS
    }

    private static final Logger LOG = Logger.getLogger(CrashPoints.class);
    static final int HALT_STATUS = 137;

    private final Point armed;
    private final AtomicInteger remaining;

    CrashPoints(@ConfigProperty(name = "saga.test.crash-point") Optional<Point> point,
                @ConfigProperty(name = "saga.test.crash-after", defaultValue = "1") int after) {
        this.armed = point.orElse(null);
        this.remaining = new AtomicInteger(after);
        if (armed != null) {
            LOG.warnf("Crash point %s is armed: this process halts the %d. time a saga reaches it (a test setting)", armed, after);
        }
    }

    void reached(Point point) {
        if (point == armed && remaining.decrementAndGet() == 0) {
            LOG.warnf("Crash point %s reached: halting", point);
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
