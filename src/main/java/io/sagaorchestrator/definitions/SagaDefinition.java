package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A saga as declared in {@code saga-definitions/}: its ordered steps, and the version and content
 * hash that every saga started on it keeps, so that it finishes on the same definition.
 *
 * @param source    the YAML text it was read from, kept in the log for sagas that outlive a change
 * @param httpStart how {@code POST /api/sagas/{name}} starts it, or null when it declares no input
 * @param deadline  how long a saga of it may go forward, counted from when it was recorded; null when it has none
 * @param liveKey   at most one live saga per value of this key; null when sagas of it may run side by side
 * @param search    the input fields (its {@code search:}) whose values find its sagas, as the business key does; the
 *                  database stores their values beside the saga when it is recorded (V15), so the engine's table
 *                  indexes no application's field
 * @param groups    its parallel groups, in the order of their branches in {@code steps}; none for a straight line
 */
public record SagaDefinition(String name, int version, String description, List<StepDefinition> steps,
                             String hash, String source, HttpStart httpStart, Duration deadline, LiveKey liveKey,
                             List<String> search, List<Group> groups) {

    /** A definition whose steps run one after another. */
    public SagaDefinition(String name, int version, String description, List<StepDefinition> steps, String hash, String source,
                          HttpStart httpStart, Duration deadline, LiveKey liveKey, List<String> search) {
        this(name, version, description, steps, hash, source, httpStart, deadline, liveKey, search, List.of());
    }

    /** A definition whose sagas are found by their business key only. */
    public SagaDefinition(String name, int version, String description, List<StepDefinition> steps, String hash, String source,
                          HttpStart httpStart, Duration deadline, LiveKey liveKey) {
        this(name, version, description, steps, hash, source, httpStart, deadline, liveKey, List.of(), List.of());
    }

    /** A definition without a key: its sagas may run side by side. */
    public SagaDefinition(String name, int version, String description, List<StepDefinition> steps, String hash, String source,
                          HttpStart httpStart, Duration deadline) {
        this(name, version, description, steps, hash, source, httpStart, deadline, null, List.of(), List.of());
    }

    /** A definition without a deadline for the whole saga. */
    public SagaDefinition(String name, int version, String description, List<StepDefinition> steps, String hash, String source,
                          HttpStart httpStart) {
        this(name, version, description, steps, hash, source, httpStart, null, null, List.of(), List.of());
    }

    /** A definition started by code only, or by an endpoint of its own. */
    public SagaDefinition(String name, int version, String description, List<StepDefinition> steps, String hash, String source) {
        this(name, version, description, steps, hash, source, null, null, null, List.of(), List.of());
    }

    public SagaDefinition {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("saga name '" + name + "' must be lower-case letters, digits and '-' (at most 63)");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
        if (steps == null || steps.isEmpty()) {
            throw new IllegalArgumentException("saga '" + name + "' has no steps");
        }
        steps = List.copyOf(steps);
        var seen = new HashSet<String>();
        for (StepDefinition step : steps) {
            if (!seen.add(step.name())) {
                throw new IllegalArgumentException("step name '" + step.name() + "' is used twice");
            }
        }
        groups = groups == null ? List.of() : List.copyOf(groups);
        checkGroups(steps, groups, seen);
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            boolean laterFailureCompensates = steps.subList(i + 1, steps.size()).stream()
                    .anyMatch(later -> later.onFailure() == FailurePolicy.COMPENSATE);
            if (!step.hasCompensation() && !step.changesNothing() && laterFailureCompensates) {
                throw new IllegalArgumentException("step '" + step.name() + "' has no compensation, but a later step that fails"
                        + " sends the saga to compensation: its effect could not be undone");
            }
        }
        if (steps.get(0).when() != null) {
            Group opening = groups.isEmpty() || groups.get(0).first() != 0 ? null : groups.get(0);
            throw new IllegalArgumentException((opening == null ? "step '" + steps.get(0).name() + "'" : "group '"
                    + opening.name() + "', the first step,") + " has a condition, but the first step always runs: decide before"
                    + " starting the saga, or put the condition on a later step");
        }
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition conditional = steps.get(i);
            if (conditional.when() == null) {
                continue;
            }
            // a group's condition stands on its first branch and holds for all of them
            int at = i;
            Group conditionalGroup = groups.stream().filter(g -> g.first() == at).findFirst().orElse(null);
            int lastConditional = conditionalGroup == null ? i : conditionalGroup.last();
            for (StepDefinition skippable : steps.subList(i, lastConditional + 1)) {
                for (StepDefinition later : steps.subList(lastConditional + 1, steps.size())) {
                    for (HttpCall call : Arrays.asList(later.http(), later.compensationHttp())) {
                        if (call != null && call.references().stream().anyMatch(r -> r.root() == Reference.Root.STEPS
                                && skippable.name().equals(r.step()))) {
                            throw new IllegalArgumentException("step '" + later.name() + "' reads the output of step '"
                                    + skippable.name() + "', which runs only when " + conditional.when()
                                    + (conditionalGroup == null ? "" : " (the condition of its group '"
                                    + conditionalGroup.name() + "')") + ": when it is skipped there is no output to read");
                        }
                    }
                }
            }
        }
        for (Group g : groups) {
            InputField list = g.forEach() == null || g.forEach().inputField() == null || httpStart == null ? null
                    : httpStart.input().fields().get(g.forEach().inputField());
            if (list != null && list.type() != InputField.Type.ARRAY) {
                throw new IllegalArgumentException("group '" + g.name() + "' runs for each item of input."
                        + list.name() + ", which is declared as " + list.type().yamlName() + ": declare it { type: array,"
                        + " maxItems: " + g.forEach().maxItems() + " }");
            }
        }
        var signals = new HashSet<String>();
        for (StepDefinition step : steps) {
            if (step.await() != null && !signals.add(step.await().signal())) {
                throw new IllegalArgumentException("step '" + step.name() + "' waits for signal '" + step.await().signal()
                        + "', which an earlier await waits for already: a signal names one await of the saga");
            }
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(source, "source");
        search = search == null ? List.of() : List.copyOf(search);
    }

    /**
     * Groups lie apart and in order, and their branches are what a group can run side by side: calls to third parties,
     * whose intents commit together and whose outcomes ride with the next commit. A local step commits the saga's row
     * with its effect, which two branches at once cannot; an await or a deadline of its own is a step on its own.
     */
    private static void checkGroups(List<StepDefinition> steps, List<Group> groups, java.util.Set<String> stepNames) {
        int after = -1;
        var names = new HashSet<String>();
        for (Group g : groups) {
            if (g.first() <= after || g.last() >= steps.size()) {
                throw new IllegalArgumentException("group '" + g.name() + "' overlaps another group or lies past the last step");
            }
            after = g.last();
            if (stepNames.contains(g.name()) || !names.add(g.name())) {
                throw new IllegalArgumentException("group name '" + g.name() + "' is used twice (group and step names share one"
                        + " space: later steps read a group's branches by their names)");
            }
            boolean aFailureCompensates = false;
            for (int i = g.first(); i <= g.last(); i++) {
                StepDefinition branch = steps.get(i);
                if (!branch.kind().callsThirdParty()) {
                    throw new IllegalArgumentException("step '" + branch.name() + "' in group '" + g.name() + "' is of type "
                            + branch.kind().name().toLowerCase(java.util.Locale.ROOT) + ": a branch calls a third party"
                            + " (remote or outbox); put local steps and awaits before or after the group");
                }
                if (branch.deadline() != null) {
                    throw new IllegalArgumentException("step '" + branch.name() + "' in group '" + g.name() + "' has a deadline"
                            + " of its own: branches run together, under the saga's deadline");
                }
                if (branch.when() != null && i != g.first()) {
                    throw new IllegalArgumentException("step '" + branch.name() + "' in group '" + g.name() + "' has a"
                            + " condition: put it on the group, which runs all its branches or none");
                }
                aFailureCompensates |= branch.onFailure() == FailurePolicy.COMPENSATE;
                for (int j = g.first(); j <= g.last(); j++) {
                    String sibling = steps.get(j).name();
                    HttpCall check = branch.verify() == null ? null : branch.verify().http();
                    for (HttpCall call : Arrays.asList(branch.http(), branch.compensationHttp(), check)) {
                        if (call != null && call.references().stream().anyMatch(r -> r.root() == Reference.Root.STEPS
                                && sibling.equals(r.step()))) {
                            throw new IllegalArgumentException("step '" + branch.name() + "' reads the output of step '"
                                    + sibling + "', a branch of the same group '" + g.name() + "' that runs beside it: a"
                                    + " branch's output is there only after the whole group, for the steps after it");
                        }
                    }
                }
            }
            for (int i = g.first(); aFailureCompensates && i <= g.last(); i++) {
                if (!steps.get(i).hasCompensation()) {
                    throw new IllegalArgumentException("step '" + steps.get(i).name() + "' has no compensation, but a branch of"
                            + " its group '" + g.name() + "' that fails sends the saga to compensation: its effect could not be"
                            + " undone");
                }
            }
        }
    }

    /** The group whose branch stands at {@code index}; null when that step is no branch. */
    public Group groupAt(int index) {
        for (Group g : groups) {
            if (g.contains(index)) {
                return g;
            }
        }
        return null;
    }

    /**
     * The last step that a saga standing at {@code index} going forward may have begun: the last branch of a group, where
     * all of them start together; else the step itself. Undoing starts from there.
     */
    public int lastBegunAt(int index) {
        Group g = groupAt(index);
        return g == null ? index : g.last();
    }

    /**
     * What is wrong with {@code input} by the definition's declared {@code input:}; empty when it declares none. Every
     * way into a saga checks it: the HTTP start, the in-process outbox, and a saga dispatched by SQL before it runs.
     */
    public List<InputSchema.Violation> inputViolations(JsonNode input) {
        List<InputSchema.Violation> violations = new ArrayList<>(httpStart == null ? List.of() : httpStart.input().validate(input));
        for (Group g : groups) {
            String field = g.forEach() == null ? null : g.forEach().inputField();
            JsonNode list = field == null || input == null ? null : input.get(field);
            if (list == null || list.isNull() || violations.stream().anyMatch(v -> v.field().equals(field))) {
                continue; // a list left out fails the forEach when the saga reaches it: its group may have a condition
            }
            if (!list.isArray()) {
                violations.add(new InputSchema.Violation(field, "must be a JSON array: forEach '" + g.name() + "' runs for each"
                        + " of its items"));
            } else if (list.size() > g.forEach().maxItems()) {
                violations.add(new InputSchema.Violation(field, "must hold at most " + g.forEach().maxItems() + " items (the"
                        + " maxItems of forEach '" + g.name() + "'), not " + list.size()));
            }
        }
        return violations;
    }

    /**
     * The fields of step {@code name}'s output that the calls this definition declares read: later steps' calls
     * and compensations ({@code steps.<name>.output.<field>}), and its own compensation and its check ({@code forward.output.<field>}).
     * Dotted paths, e.g. {@code charge.id}; a reference to the whole output needs no field.
     */
    public Set<String> outputReads(String name) {
        int index = indexOf(name);
        Set<String> reads = new TreeSet<>();
        for (int i = index; i < steps.size(); i++) {
            StepDefinition s = steps.get(i);
            HttpCall check = s.verify() == null ? null : s.verify().http();
            for (HttpCall call : i == index ? Arrays.asList(s.compensationHttp(), check)
                    : Arrays.asList(s.http(), s.compensationHttp(), check)) {
                if (call == null) {
                    continue;
                }
                Reference.Root root = i == index ? Reference.Root.FORWARD : Reference.Root.STEPS;
                call.references().stream()
                        .filter(r -> r.root() == root && (root == Reference.Root.FORWARD || name.equals(r.step())) && !r.path().isEmpty())
                        .forEach(r -> reads.add(String.join(".", r.path())));
            }
        }
        return reads;
    }

    /** The await step that waits for {@code signal}; empty when the definition has none. */
    public java.util.Optional<StepDefinition> awaitFor(String signal) {
        return steps.stream().filter(s -> s.await() != null && s.await().signal().equals(signal)).findFirst();
    }

    /** @throws IllegalArgumentException when no step has this name */
    public int indexOf(String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("saga '" + this.name + "' has no step '" + name + "'");
    }

    public StepDefinition step(int index) {
        return steps.get(index);
    }

    public int stepCount() {
        return steps.size();
    }
}
