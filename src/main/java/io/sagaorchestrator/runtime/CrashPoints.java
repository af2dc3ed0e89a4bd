package io.sagaorchestrator.runtime;

import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Deterministic crashes for the consistency tests: with {@code saga.test.crash-point} set to one
 * of the {@link Point}s, the process halts (no shutdown hooks, no cleanup: as close to SIGKILL as a
 * process can do to itself) the {@code saga.test.crash-after}-th time a saga reaches that point.
 * Unset, as in production, every call is a no-op.
 *
 * <p>In-process tests (the test scenarios beside the definitions) cannot halt their JVM: {@link #abandonRunOnce} arms a
 * kill of one step instead, which makes the run of the saga stop by throwing {@link RunAbandoned} at that place. Nothing
 * of the run is committed after it, and its lease stays in the log, as a halted process leaves them; the saga is then
 * recovery's, once the lease has run out. Only a test launch may arm it.
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

    /** Where an in-process test may abandon a run: after an attempt's intent committed, or after a local step committed. */
    public enum Abandon {
        /** The intent of a remote attempt is committed; the call has not been made ({@link Point#AFTER_INTENT}). */
        AFTER_INTENT,
        /** A local step's effect and its log row are committed; the run has done nothing after that commit. */
        AFTER_LOCAL_COMMIT
    }

    /** Thrown where an armed in-process kill abandons a run; never caught as a step's failure. */
    public static final class RunAbandoned extends RuntimeException {
        RunAbandoned(Abandon where, String step) {
            super("killed by the test at " + where + " of step " + step, null, false, false);
        }
    }

    /** An armed in-process kill: where, and in which step (of whichever saga reaches it first). */
    private record Kill(Abandon where, String step) {
    }

    /** Null unless a test armed a kill; read (one volatile read) at every remote attempt and local commit. */
    private final AtomicReference<Kill> kill = new AtomicReference<>();
    /** The saga whose run the kill abandoned, once it fired. */
    private final AtomicReference<UUID> killed = new AtomicReference<>();

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

    /** As {@link #reached(Point)}; also abandons the run when an in-process kill of this step is armed there. */
    void reached(Point point, UUID sagaId, String step) {
        reached(point);
        if (point == Point.AFTER_INTENT) {
            abandonIfArmed(Abandon.AFTER_INTENT, sagaId, step);
        }
    }

    /** A local step has committed: abandons the run when an in-process kill of this step is armed there. */
    void localStepCommitted(UUID sagaId, String step) {
        abandonIfArmed(Abandon.AFTER_LOCAL_COMMIT, sagaId, step);
    }

    private void abandonIfArmed(Abandon where, UUID sagaId, String step) {
        Kill armedKill = kill.get();
        if (armedKill != null && armedKill.where() == where && armedKill.step().equals(step) && kill.compareAndSet(armedKill, null)) {
            LOG.warnf("In-process kill at %s of step %s: abandoning the run of saga %s", where, step, sagaId);
            killed.set(sagaId);
            throw new RunAbandoned(where, step);
        }
    }

    /**
     * Test launches only: the next run that reaches {@code where} in step {@code step} is abandoned there, once.
     *
     * @throws IllegalStateException outside a test launch
     */
    public void abandonRunOnce(Abandon where, String step) {
        if (LaunchMode.current() != LaunchMode.TEST) {
            throw new IllegalStateException("in-process kills are for tests only");
        }
        killed.set(null);
        kill.set(new Kill(where, step));
    }

    /** Disarms a kill that has not fired, and forgets one that has. */
    public void disarm() {
        kill.set(null);
        killed.set(null);
    }

    /** The saga whose run the armed kill abandoned; null while it has not fired. */
    public UUID abandoned() {
        return killed.get();
    }
}
