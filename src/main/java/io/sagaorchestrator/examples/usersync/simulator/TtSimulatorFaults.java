package io.sagaorchestrator.examples.usersync.simulator;

import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.annotation.JsonInclude;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How the TT simulator misbehaves right now, switched while it runs ({@link TtSimulatorFaultsResource}), so that dev
 * mode can show what an operator meets when TT fails: adds or deletes that fail, a slow TT, answers lost on the way
 * back. Starts with {@code tt.simulator.fail-deletes} and nothing else.
 */
@Singleton
public class TtSimulatorFaults {

    static final int MAX_DELAY_MS = 60_000;
    static final int MAX_LOST_ANSWERS = 1_000;

    /**
     * @param failAdds    every add answers 503 and creates nobody
     * @param failDeletes every delete answers 503 and deletes nobody
     * @param delayMs     every request waits this long before TT acts on it
     * @param loseAnswers the next this many requests are carried out, but their answer is lost: the connection drops
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Faults(Boolean failAdds, Boolean failDeletes, Integer delayMs, Integer loseAnswers) {

        static final Faults NONE = new Faults(false, false, 0, 0);

        /** What a switch means: what it leaves out is off. */
        Faults complete() {
            return new Faults(Boolean.TRUE.equals(failAdds), Boolean.TRUE.equals(failDeletes),
                    delayMs == null ? 0 : delayMs, loseAnswers == null ? 0 : loseAnswers);
        }

        /** Why these faults cannot be switched on, or null when they can. */
        String refusal() {
            if (delayMs != null && (delayMs < 0 || delayMs > MAX_DELAY_MS)) {
                return "delayMs must be between 0 and " + MAX_DELAY_MS + " (milliseconds), not " + delayMs;
            }
            if (loseAnswers != null && (loseAnswers < 0 || loseAnswers > MAX_LOST_ANSWERS)) {
                return "loseAnswers must be between 0 and " + MAX_LOST_ANSWERS + " (the number of answers to lose), not " + loseAnswers;
            }
            return null;
        }
    }

    private final AtomicReference<Faults> current;

    @Inject
    public TtSimulatorFaults(@ConfigProperty(name = "tt.simulator.fail-deletes", defaultValue = "false") boolean failDeletes) {
        this.current = new AtomicReference<>(new Faults(false, failDeletes, 0, 0));
    }

    public Faults current() {
        return current.get();
    }

    /** @throws IllegalArgumentException saying what is wrong; nothing is switched then */
    public Faults switchTo(Faults faults) {
        String refusal = faults.refusal();
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        Faults complete = faults.complete();
        current.set(complete);
        return complete;
    }

    boolean failAdds() {
        return current.get().failAdds();
    }

    boolean failDeletes() {
        return current.get().failDeletes();
    }

    int delayMs() {
        return current.get().delayMs();
    }

    /** Whether this request's answer is to be lost; counts it when it is. */
    boolean loseThisAnswer() {
        Faults before = current.getAndUpdate(f -> f.loseAnswers() > 0
                ? new Faults(f.failAdds(), f.failDeletes(), f.delayMs(), f.loseAnswers() - 1) : f);
        return before.loseAnswers() > 0;
    }
}
