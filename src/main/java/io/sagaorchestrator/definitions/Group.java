package io.sagaorchestrator.definitions;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parallel group ({@code - parallel:}): the branches at {@code first..last} of the definition's steps start together, at
 * most {@code maxConcurrency} at a time, in the order written. The group succeeds when every branch has; when one fails, no
 * further branch starts, the branches in flight end, and then every branch that took effect, or may have, is undone in
 * reverse order of start (the order written, since branches start in it), before the steps ahead of the group.
 *
 * <p>Its branches keep their places in the flat list of steps: compensation, the compensation plan, recovery and the
 * operator's requests see a branch as the step it is, and only the forward run treats the group as one.
 *
 * @param maxConcurrency how many branches may be in flight at once; all of them when the definition says nothing
 */
public record Group(String name, int first, int last, int maxConcurrency) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public Group {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("group name '" + name + "' must be lower-case letters, digits and '-' (at most 63)");
        }
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("group '" + name + "' has no branches");
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("group '" + name + "': maxConcurrency must be at least 1, got " + maxConcurrency);
        }
    }

    public boolean contains(int index) {
        return index >= first && index <= last;
    }

    public int size() {
        return last - first + 1;
    }
}
