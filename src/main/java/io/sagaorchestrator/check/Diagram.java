package io.sagaorchestrator.check;

import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.definitions.Await;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.definitions.ForEach;
import io.sagaorchestrator.definitions.Group;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A definition as a Mermaid flowchart: the forward path (solid), each condition as a decision, and where a failure leads
 * (dotted): the undo of what ran before, in reverse, each with its check where it declares one, to COMPENSATED, or
 * ESCALATED when an undo keeps failing, its check finds the effect still there (drift), or a step escalates. A parallel
 * group is a box whose fork leads into every branch and whose join leads on; a branch that fails undoes the whole group,
 * from its last branch back, or side by side when the group says {@code compensation: parallel}: an undo fork leads to
 * every branch's undo, which join before the undo of the steps ahead of the group. A forEach, whose branches are one step
 * run for each item of a list, is a box holding that step once, and its undo once: the undo of every item that ran, in
 * reverse or side by side as the forEach says. GitHub, GitLab and most wikis draw it as it is.
 */
public final class Diagram {

    /**
     * The marks from the most telling down, for the one node a forEach's items share: what a person must look at (a failure,
     * an outcome unknown), then what is under way, then an effect that stands, then one undone, then an item that never
     * ran; an item's undo the same way.
     */
    private static final List<Mark> MOST_TELLING_FIRST = List.of(Mark.FAILED, Mark.UNCERTAIN, Mark.CHECKING, Mark.RUNNING,
            Mark.WAITING, Mark.DONE, Mark.COMPENSATED, Mark.SKIPPED);

    private Diagram() {
    }

    /** What became of a step in one saga, laid over its node; the name is the node's class and the console's legend. */
    public enum Mark {
        DONE("fill:#e9f6ec,stroke:#1e7b34,stroke-width:3px"),
        RUNNING("fill:#e8f1fc,stroke:#1a5fb4,stroke-width:3px"),
        WAITING("fill:#e8f1fc,stroke:#1a5fb4,stroke-width:3px,stroke-dasharray:6 3"),
        UNCERTAIN("fill:#fdf6e3,stroke:#9a6700,stroke-width:3px"),
        CHECKING("fill:#fdf6e3,stroke:#9a6700,stroke-width:3px,stroke-dasharray:6 3"),
        FAILED("fill:#fdecea,stroke:#b3261e,stroke-width:3px"),
        COMPENSATED("fill:#f1f2f4,stroke:#5f6368,stroke-width:3px"),
        SKIPPED("fill:#ffffff,stroke:#9aa0a6,stroke-dasharray:2 2,color:#5f6368");

        private final String style;

        Mark(String style) {
            this.style = style;
        }

        /** Its class in the diagram: {@code stepDone}, apart from the classes of the ends ({@code compensated}...). */
        public String css() {
            return "step" + name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One saga's state, to lay over its definition: what became of each step and of each undo, by step index (a step not
     * reached has no mark), and where the saga stands.
     */
    public record Overlay(Map<Integer, Mark> steps, Map<Integer, Mark> undos, SagaStatus status) {
        public Overlay {
            steps = Map.copyOf(steps);
            undos = Map.copyOf(undos);
            Objects.requireNonNull(status, "status");
        }
    }

    /** The definition with one saga's state over it; the end the saga reached, if it has, is outlined. */
    public static String mermaid(SagaDefinition definition, Overlay overlay) {
        StringBuilder m = new StringBuilder(mermaid(definition));
        for (Mark mark : Mark.values()) {
            m.append("  classDef ").append(mark.css()).append(' ').append(mark.style).append('\n');
        }
        m.append("  classDef reached stroke-width:4px\n");
        byNode(definition, overlay.steps()).forEach((index, mark) -> m.append("  class s").append(index).append(' ')
                .append(mark.css()).append('\n'));
        byNode(definition, overlay.undos()).forEach((index, mark) -> {
            StepDefinition step = definition.step(index);
            if (step.hasCompensation()) {
                m.append("  class u").append(index).append(' ').append(mark.css()).append('\n');
                // an undo is done only once its check found the effect gone; while it checks, the check is where it stands
                if (step.verify() != null && (mark == Mark.DONE || mark == Mark.CHECKING)) {
                    m.append("  class k").append(index).append(' ').append(mark.css()).append('\n');
                }
            }
        });
        String end = switch (overlay.status()) {
            case COMPLETED -> "done";
            case COMPENSATED -> "compensated";
            case ESCALATED, RESOLVED -> "escalated";
            case RUNNING, COMPENSATING -> null;
        };
        if (end != null) {
            m.append("  class ").append(end).append(" reached\n");
        }
        return m.toString();
    }

    public static String mermaid(SagaDefinition definition) {
        StringBuilder m = new StringBuilder("flowchart TD\n");
        m.append("  start([").append(label(definition.name() + " v" + definition.version())).append("])\n");
        m.append("  done([COMPLETED]):::completed\n  compensated([COMPENSATED]):::compensated\n  escalated([ESCALATED]):::escalated\n");
        m.append("  start --> ").append(entry(definition, 0)).append('\n');
        for (int i = 0; i < definition.stepCount(); i++) {
            StepDefinition step = definition.step(i);
            Group group = definition.groupAt(i);
            if (group != null && group.forEach() != null) {
                if (group.first() == i) {
                    forEach(m, definition, group);
                }
                continue;
            }
            if (group != null) {
                if (group.first() == i) {
                    group(m, definition, group);
                    if (group.undoneTogether()) {
                        undoneSideBySide(m, definition, group);
                    }
                }
                // a failing branch stops the group: every branch that took effect or may have is undone, the last first or
                // side by side
                m.append("  s").append(i).append(" -.->|fails| ").append(step.onFailure() == FailurePolicy.ESCALATE
                        ? "escalated" : undoFrom(definition, group.last())).append('\n');
                undo(m, definition, i, step, false);
                continue;
            }
            if (step.when() != null) {
                condition(m, definition, i, "s" + i, i + 1);
            }
            if (step.await() != null) {
                await(m, definition, i, step);
                continue;
            }
            m.append("  ").append(node(i, step)).append('\n');
            m.append("  s").append(i).append(" --> ").append(entry(definition, i + 1)).append('\n');
            m.append("  s").append(i).append(" -.->|fails| ")
                    .append(step.onFailure() == FailurePolicy.ESCALATE ? "escalated" : undoFrom(definition, i - 1)).append('\n');
            undo(m, definition, i, step, step.kind().callsThirdParty() && step.onFailure() == FailurePolicy.COMPENSATE);
        }
        StepDefinition last = definition.step(definition.stepCount() - 1);
        if (last.hasCompensation()) {
            // only the last step's undo can begin the undoing of a completed saga (SagaTransitions.operatorUndo)
            m.append("  done -.->|an operator compensates| ").append(undoFrom(definition, definition.stepCount() - 1))
                    .append('\n');
        }
        m.append("  classDef completed fill:#e9f6ec,stroke:#1e7b34\n");
        m.append("  classDef compensated fill:#f1f2f4,stroke:#5f6368\n");
        m.append("  classDef escalated fill:#fdecea,stroke:#b3261e\n");
        m.append("  classDef undo stroke-dasharray:4 3\n");
        m.append("  classDef await fill:#fff8e1,stroke:#b26a00\n");
        if (definition.groups().stream().anyMatch(g -> g.forEach() == null)) {
            m.append("  classDef fork fill:#5f6368,stroke:#5f6368\n");
        }
        return m.toString();
    }

    /**
     * A parallel group as a box of its branches, with a fork into every branch and a join after them all, which leads on; its
     * condition, which stands on its first branch, decides before the fork, as a step's does before the step.
     */
    private static void group(StringBuilder m, SagaDefinition definition, Group group) {
        int g = group.first();
        if (definition.step(g).when() != null) {
            condition(m, definition, g, "f" + g, group.last() + 1);
        }
        // the fork and the join stand outside the box: inside, Mermaid lays the fork over the box's title
        m.append("  f").append(g).append("[\" \"]:::fork\n");
        m.append("  subgraph g").append(g).append(" [").append(label("parallel " + group.name() + "\n" + concurrency(group)))
                .append("]\n");
        for (int i = group.first(); i <= group.last(); i++) {
            m.append("    ").append(node(i, definition.step(i))).append('\n');
        }
        m.append("  end\n");
        m.append("  j").append(g).append("[\" \"]:::fork\n");
        for (int i = group.first(); i <= group.last(); i++) {
            m.append("  f").append(g).append(" --> s").append(i).append('\n');
        }
        for (int i = group.first(); i <= group.last(); i++) {
            m.append("  s").append(i).append(" --> j").append(g).append('\n');
        }
        m.append("  j").append(g).append(" --> ").append(entry(definition, group.last() + 1)).append('\n');
    }

    /**
     * A forEach as a box holding its step once, for every item, which leads on once every item has succeeded; a failing item
     * undoes every item that ran, then the steps ahead of the group. Its condition decides before the box, as a group's.
     */
    private static void forEach(StringBuilder m, SagaDefinition definition, Group group) {
        int g = group.first();
        StepDefinition step = definition.step(g);
        ForEach forEach = group.forEach();
        if (step.when() != null) {
            condition(m, definition, g, "s" + g, group.last() + 1);
        }
        m.append("  subgraph g").append(g).append(" [").append(label("forEach " + group.name() + ": each item of "
                + forEach.items().text() + ", at most " + forEach.maxItems() + "\n" + concurrency(group))).append("]\n");
        m.append("    ").append(node(g, step)).append('\n');
        m.append("  end\n");
        m.append("  s").append(g).append(" --> ").append(entry(definition, group.last() + 1)).append('\n');
        m.append("  s").append(g).append(" -.->|fails| ").append(step.onFailure() == FailurePolicy.ESCALATE ? "escalated"
                : undoFrom(definition, group.last())).append('\n');
        undo(m, definition, g, step, false);
    }

    private static String concurrency(Group group) {
        return group.maxConcurrency() >= group.size() ? "all at once" : "at most " + group.maxConcurrency() + " at once";
    }

    /**
     * The undo of a group undone side by side: its fork leads to the undo of every branch that has one, and their join, once
     * every one is undone, to the undo of the steps ahead of the group. Each undo may still keep failing, to ESCALATED.
     */
    private static void undoneSideBySide(StringBuilder m, SagaDefinition definition, Group group) {
        int g = group.first();
        if (definition.steps().subList(group.first(), group.last() + 1).stream().noneMatch(StepDefinition::hasCompensation)) {
            return; // nothing of the group is undone: compensation passes over it
        }
        m.append("  uf").append(g).append("[\" \"]:::fork\n");
        m.append("  uj").append(g).append("[\" \"]:::fork\n");
        for (int i = group.first(); i <= group.last(); i++) {
            if (definition.step(i).hasCompensation()) {
                m.append("  uf").append(g).append(" -.-> u").append(i).append('\n');
            }
        }
        m.append("  uj").append(g).append(" -.-> ").append(undoFrom(definition, g - 1)).append('\n');
    }

    /** A condition as a decision before {@code target}: true leads there, false to step {@code otherwise}. */
    private static void condition(StringBuilder m, SagaDefinition definition, int i, String target, int otherwise) {
        m.append("  c").append(i).append("{").append(label("when " + definition.step(i).when().text())).append("}\n");
        m.append("  c").append(i).append(" -->|true| ").append(target).append('\n');
        m.append("  c").append(i).append(" -->|false| ").append(entry(definition, otherwise)).append('\n');
    }

    private static String node(int i, StepDefinition step) {
        return "s" + i + "[" + label(name(step) + "\n" + step.kind().name().toLowerCase(Locale.ROOT) + ": " + step.action()) + "]";
    }

    /**
     * Step {@code i}'s undo, when it has one, with its check where it declares one: each leads to the undo of what ran
     * before it, or to ESCALATED when it keeps failing or its check finds the effect still there.
     *
     * @param undoneWhenUnknown whether the step's lost answer sends the saga to undo the step itself (a branch's is drawn
     *                          with its failure, which undoes the whole group)
     */
    private static void undo(StringBuilder m, SagaDefinition definition, int i, StepDefinition step, boolean undoneWhenUnknown) {
        if (!step.hasCompensation()) {
            return;
        }
        Group group = definition.groupAt(i);
        boolean items = group != null && group.forEach() != null;
        // undone side by side, a branch's undo leads to its group's undo join, where its siblings' meet it; a forEach's
        // undo stands for all its items' already
        String undoBefore = group != null && group.undoneTogether() && !items ? "uj" + group.first() : undoFrom(definition, i - 1);
        m.append("  u").append(i).append('[').append(label("undo " + name(step) + "\n" + step.compensation() + (!items ? ""
                : group.undoneTogether() ? "\nevery item that ran, side by side" : "\nevery item that ran, the last first")))
                .append("]:::undo\n");
        if (undoneWhenUnknown) {
            m.append("  s").append(i).append(" -.->|outcome unknown| u").append(i).append('\n');
        }
        m.append("  u").append(i).append(" -.->|keeps failing| escalated\n");
        if (step.verify() != null) {
            // the undo is done only once its check finds the effect gone; one that stays is drift
            m.append("  k").append(i).append('[').append(label("check undo of " + name(step) + "\n"
                    + step.verify().http().label() + ", expects " + step.verify().expectation())).append("]:::undo\n");
            m.append("  u").append(i).append(" -.-> k").append(i).append('\n');
            m.append("  k").append(i).append(" -.-> ").append(undoBefore).append('\n');
            m.append("  k").append(i).append(" -.->|drift| escalated\n");
        } else {
            m.append("  u").append(i).append(" -.-> ").append(undoBefore).append('\n');
        }
    }

    /**
     * An await as a hexagon: its signal leads on; a refusal ({@code rejectWhen}) and a timeout that compensates lead to
     * the undo of what ran before, a timeout that escalates to ESCALATED, one that continues on along the forward path.
     */
    private static void await(StringBuilder m, SagaDefinition definition, int i, StepDefinition step) {
        Await await = step.await();
        String undoBefore = undoFrom(definition, i - 1);
        String next = entry(definition, i + 1);
        m.append("  s").append(i).append("{{").append(label(step.name() + "\nawait signal: " + await.signal()))
                .append("}}:::await\n");
        m.append("  s").append(i).append(" -->|signal ").append(await.signal()).append("| ").append(next).append('\n');
        if (await.rejectWhen() != null) {
            m.append("  s").append(i).append(" -.->|").append(edge("refused: " + await.rejectWhen().text())).append("| ")
                    .append(undoBefore).append('\n');
        }
        String timeout = "no signal within " + await.timeout().toString().substring(2).toLowerCase(Locale.ROOT);
        String target = switch (await.onTimeout()) {
            case COMPENSATE -> undoBefore;
            case ESCALATE -> "escalated";
            case CONTINUE -> next;
        };
        m.append("  s").append(i).append(" -.->|").append(edge(timeout)).append("| ").append(target).append('\n');
    }

    /** An edge's text in quotes, as Mermaid reads it. */
    private static String edge(String text) {
        return "\"" + text.replace("\"", "#quot;").replace("|", "#124;") + "\"";
    }

    /**
     * Where the forward path enters step {@code index}: its condition, the step, the fork of the group it opens, or the
     * end past the last.
     */
    private static String entry(SagaDefinition definition, int index) {
        if (index >= definition.stepCount()) {
            return "done";
        }
        if (definition.step(index).when() != null) {
            return "c" + index;
        }
        Group group = definition.groupAt(index);
        return (group != null && group.forEach() == null ? "f" : "s") + index;
    }

    /**
     * The undo of the latest step at or before {@code index} that has one, the undo fork of the group undone side by side
     * it belongs to, or the undo of the forEach whose item it is; COMPENSATED when none has.
     */
    private static String undoFrom(SagaDefinition definition, int index) {
        for (int i = index; i >= 0; i--) {
            if (definition.step(i).hasCompensation()) {
                Group group = definition.groupAt(i);
                if (group != null && group.forEach() != null) {
                    return "u" + group.first();
                }
                return group != null && group.undoneTogether() ? "uf" + group.first() : "u" + i;
            }
        }
        return "compensated";
    }

    /** A step's name in its node: a forEach's step once for all its items, as {@code <step>[i]}. */
    private static String name(StepDefinition step) {
        return step.item() == null ? step.name() : ForEach.stepName(step.name()) + "[i]";
    }

    /**
     * The marks by the node that shows them: a forEach's items share the node of its first, which shows the most telling
     * of their marks ({@link #MOST_TELLING_FIRST}).
     */
    private static Map<Integer, Mark> byNode(SagaDefinition definition, Map<Integer, Mark> marks) {
        Map<Integer, Mark> nodes = new TreeMap<>();
        marks.forEach((index, mark) -> {
            Group group = definition.groupAt(index);
            nodes.merge(group != null && group.forEach() != null ? group.first() : index, mark,
                    (a, b) -> MOST_TELLING_FIRST.indexOf(a) <= MOST_TELLING_FIRST.indexOf(b) ? a : b);
        });
        return nodes;
    }

    /** A node's text in quotes, as Mermaid reads it: quotes as entities, line breaks as {@code <br/>}. */
    private static String label(String text) {
        return "\"" + text.replace("\"", "#quot;").replace("\n", "<br/>") + "\"";
    }
}
