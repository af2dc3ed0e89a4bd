package io.sagaorchestrator.check;

import io.sagaorchestrator.definitions.Await;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;

import java.util.Locale;

/**
 * A definition as a Mermaid flowchart: the forward path (solid), each condition as a decision, and where a failure leads
 * (dotted): the undo of what ran before, in reverse, each with its check where it declares one, to COMPENSATED, or
 * ESCALATED when an undo keeps failing, its check finds the effect still there (drift), or a step escalates. GitHub, GitLab and most wikis draw it as it is.
 */
public final class Diagram {

    private Diagram() {
    }

    public static String mermaid(SagaDefinition definition) {
        StringBuilder m = new StringBuilder("flowchart TD\n");
        m.append("  start([").append(label(definition.name() + " v" + definition.version())).append("])\n");
        m.append("  done([COMPLETED]):::completed\n  compensated([COMPENSATED]):::compensated\n  escalated([ESCALATED]):::escalated\n");
        m.append("  start --> ").append(entry(definition, 0)).append('\n');
        for (int i = 0; i < definition.stepCount(); i++) {
            StepDefinition step = definition.step(i);
            if (step.when() != null) {
                m.append("  c").append(i).append("{").append(label("when " + step.when().text())).append("}\n");
                m.append("  c").append(i).append(" -->|true| s").append(i).append('\n');
                m.append("  c").append(i).append(" -->|false| ").append(entry(definition, i + 1)).append('\n');
            }
            if (step.await() != null) {
                await(m, definition, i, step);
                continue;
            }
            m.append("  s").append(i).append('[').append(label(step.name() + "\n" + step.kind().name().toLowerCase(Locale.ROOT)
                    + ": " + step.action())).append("]\n");
            m.append("  s").append(i).append(" --> ").append(entry(definition, i + 1)).append('\n');
            String undoBefore = undoFrom(definition, i - 1);
            m.append("  s").append(i).append(" -.->|fails| ")
                    .append(step.onFailure() == FailurePolicy.ESCALATE ? "escalated" : undoBefore).append('\n');
            if (step.hasCompensation()) {
                m.append("  u").append(i).append('[').append(label("undo " + step.name() + "\n" + step.compensation()))
                        .append("]:::undo\n");
                if (step.kind().callsThirdParty() && step.onFailure() == FailurePolicy.COMPENSATE) {
                    m.append("  s").append(i).append(" -.->|outcome unknown| u").append(i).append('\n');
                }
                m.append("  u").append(i).append(" -.->|keeps failing| escalated\n");
                if (step.verify() != null) {
                    // the undo is done only once its check finds the effect gone; one that stays is drift
                    m.append("  k").append(i).append('[').append(label("check undo of " + step.name() + "\n"
                            + step.verify().http().label() + ", expects " + step.verify().expectation())).append("]:::undo\n");
                    m.append("  u").append(i).append(" -.-> k").append(i).append('\n');
                    m.append("  k").append(i).append(" -.-> ").append(undoBefore).append('\n');
                    m.append("  k").append(i).append(" -.->|drift| escalated\n");
                } else {
                    m.append("  u").append(i).append(" -.-> ").append(undoBefore).append('\n');
                }
            }
        }
        StepDefinition last = definition.step(definition.stepCount() - 1);
        if (last.hasCompensation()) {
            // only the last step's undo can begin the undoing of a completed saga (SagaTransitions.operatorUndo)
            m.append("  done -.->|an operator compensates| u").append(definition.stepCount() - 1).append('\n');
        }
        m.append("  classDef completed fill:#e9f6ec,stroke:#1e7b34\n");
        m.append("  classDef compensated fill:#f1f2f4,stroke:#5f6368\n");
        m.append("  classDef escalated fill:#fdecea,stroke:#b3261e\n");
        m.append("  classDef undo stroke-dasharray:4 3\n");
        m.append("  classDef await fill:#fff8e1,stroke:#b26a00\n");
        return m.toString();
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

    /** Where the forward path enters step {@code index}: its condition, the step, or the end past the last. */
    private static String entry(SagaDefinition definition, int index) {
        if (index >= definition.stepCount()) {
            return "done";
        }
        return (definition.step(index).when() != null ? "c" : "s") + index;
    }

    /** The undo of the latest step at or before {@code index} that has one; COMPENSATED when none has. */
    private static String undoFrom(SagaDefinition definition, int index) {
        for (int i = index; i >= 0; i--) {
            if (definition.step(i).hasCompensation()) {
                return "u" + i;
            }
        }
        return "compensated";
    }

    /** A node's text in quotes, as Mermaid reads it: quotes as entities, line breaks as {@code <br/>}. */
    private static String label(String text) {
        return "\"" + text.replace("\"", "#quot;").replace("\n", "<br/>") + "\"";
    }
}
