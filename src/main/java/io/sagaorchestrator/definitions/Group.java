package io.sagaorchestrator.definitions;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parallel group ({@code - parallel:}): the branches at {@code first..last} of the definition's steps start together, at
 * most {@code maxConcurrency} at a time, in the order written. The group succeeds when every branch has; when one fails, no
 * further branch starts, the branches in flight end, and then every branch that took effect, or may have, is undone
 * (see {@link CompensationOrder}), before the steps ahead of the group.
 *
 * <p>Its branches keep their places in the flat list of steps: the compensation plan, recovery and the operator's requests
 * see a branch as the step it is; the forward run treats the group as one, and so does its undoing when it is
 * {@link CompensationOrder#PARALLEL}.
 *
 * @param maxConcurrency how many branches may be in flight at once, going forward and, undone side by side, back
 * @param forEach        for a {@code forEach} group, the list its branches run over, one item each; null for {@code parallel}
 */
public record Group(String name, int first, int last, int maxConcurrency, CompensationOrder compensation, ForEach forEach) {

    /** How a group's branches are undone. */
    public enum CompensationOrder {
        /** One at a time, in reverse order of start (the order written, since branches start in it). */
        REVERSE,
        /**
         * Side by side, at most {@code maxConcurrency} at once, each with its own compensation budget. A branch whose undo
         * gives up does not stop its siblings': each of them still makes this run's attempts, and then the saga escalates,
         * naming every branch left undone.
         */
        PARALLEL
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public Group {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(compensation, "compensation");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("group name '" + name + "' must be lower-case letters, digits and '-' (at most 63)");
        }
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("group '" + name + "' has no branches");
        }
        if (forEach != null && forEach.maxItems() != last - first + 1) {
            throw new IllegalArgumentException("forEach '" + name + "' takes " + forEach.maxItems() + " items but has "
                    + (last - first + 1) + " branches");
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("group '" + name + "': maxConcurrency must be at least 1, got " + maxConcurrency);
        }
    }

    /** A group undone in reverse order, as the definition says when it names no order. */
    public Group(String name, int first, int last, int maxConcurrency) {
        this(name, first, last, maxConcurrency, CompensationOrder.REVERSE);
    }

    /** A {@code parallel} group: its branches are the steps written in it. */
    public Group(String name, int first, int last, int maxConcurrency, CompensationOrder compensation) {
        this(name, first, last, maxConcurrency, compensation, null);
    }

    /** This forEach group running over {@code forEach} instead: the same list, e.g. taken to be full. */
    public Group withForEach(ForEach forEach) {
        return new Group(name, first, last, maxConcurrency, compensation, forEach);
    }

    public boolean undoneTogether() {
        return compensation == CompensationOrder.PARALLEL;
    }

    public boolean contains(int index) {
        return index >= first && index <= last;
    }

    public int size() {
        return last - first + 1;
    }
}
