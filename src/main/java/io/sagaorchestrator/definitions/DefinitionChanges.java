package io.sagaorchestrator.definitions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What moving a saga from the definition it started on to another version of it changes. A saga may only move when
 * the steps it has passed are the same in both (name, kind, action and compensation, declared calls included): what
 * it already did must mean the same under the new definition. Policies (retry, compensation retry, onFailure,
 * timeout) may differ, and so may the steps still ahead: that is what a corrected definition is for.
 *
 * @param passedUpTo  the index of the last step the saga has passed (or stands on)
 * @param mismatches  why the saga cannot move, one line per passed step that differs; empty when it can
 * @param policies    the policies of passed steps that change, e.g. {@code step 'a' retry.attempts: 1 -> 5}
 * @param stepsAhead  the steps after {@code passedUpTo} that are added, removed or changed
 */
public record DefinitionChanges(String definition, int fromVersion, String fromHash, int toVersion, String toHash,
                                int passedUpTo, List<String> mismatches, List<String> policies, List<String> stepsAhead) {

    public DefinitionChanges {
        mismatches = List.copyOf(mismatches);
        policies = List.copyOf(policies);
        stepsAhead = List.copyOf(stepsAhead);
    }

    public boolean fits() {
        return mismatches.isEmpty();
    }

    /** Compares {@code from} with {@code to} for a saga that has passed the steps up to index {@code passedUpTo}. */
    public static DefinitionChanges between(SagaDefinition from, SagaDefinition to, int passedUpTo) {
        List<String> mismatches = new ArrayList<>();
        List<String> policies = new ArrayList<>();
        List<String> ahead = new ArrayList<>();
        if (!from.name().equals(to.name())) {
            mismatches.add("the definitions have different names: '" + from.name() + "' and '" + to.name() + "'");
        }
        for (int i = 0; i <= passedUpTo && i < from.stepCount(); i++) {
            StepDefinition was = from.step(i);
            if (i >= to.stepCount()) {
                mismatches.add("step " + (i + 1) + " '" + was.name() + "' has been passed, but v" + to.version()
                        + " has only " + to.stepCount() + " step(s)");
                continue;
            }
            StepDefinition is = to.step(i);
            List<String> differences = new ArrayList<>(shapeDifferences(was, is));
            differ(differences, "group", groupShape(from, i), groupShape(to, i));
            if (!differences.isEmpty()) {
                mismatches.add("step " + (i + 1) + " '" + was.name() + "' has been passed, but in v" + to.version() + " "
                        + String.join(", ", differences));
            } else {
                policyDifferences(was, is).forEach(d -> policies.add("step '" + was.name() + "' " + d));
            }
        }
        for (int i = passedUpTo + 1; i < Math.max(from.stepCount(), to.stepCount()); i++) {
            if (i >= to.stepCount()) {
                ahead.add("step " + (i + 1) + " '" + from.step(i).name() + "' is removed");
            } else if (i >= from.stepCount()) {
                ahead.add("step " + (i + 1) + " '" + to.step(i).name() + "' is added");
            } else {
                List<String> differences = new ArrayList<>(shapeDifferences(from.step(i), to.step(i)));
                differences.addAll(policyDifferences(from.step(i), to.step(i)));
                if (!differences.isEmpty()) {
                    ahead.add("step " + (i + 1) + " '" + from.step(i).name() + "' changes: " + String.join(", ", differences));
                }
            }
        }
        return new DefinitionChanges(from.name(), from.version(), from.hash(), to.version(), to.hash(), passedUpTo,
                mismatches, policies, ahead);
    }

    /**
     * What makes a step do something else: its name, kind, action, compensation (a declared call is its action) or
     * condition; a passed step's recorded path was taken under its condition as it was.
     */
    private static List<String> shapeDifferences(StepDefinition a, StepDefinition b) {
        List<String> d = new ArrayList<>();
        differ(d, "name", a.name(), b.name());
        differ(d, "type", a.kind(), b.kind());
        differ(d, "action", a.action(), b.action());
        if (!Objects.equals(a.http(), b.http()) && Objects.equals(a.action(), b.action())) {
            d.add("its declared call differs");
        }
        differ(d, "compensation", a.compensation(), b.compensation());
        if (!Objects.equals(a.compensationHttp(), b.compensationHttp()) && Objects.equals(a.compensation(), b.compensation())) {
            d.add("its compensation's declared call differs");
        }
        differ(d, "when", a.when(), b.when());
        return d;
    }

    /** The group a step is a branch of, as far as it shapes what ran: its name and its branches; null for no group. */
    private static String groupShape(SagaDefinition definition, int index) {
        Group g = definition.groupAt(index);
        return g == null ? null : g.name() + " (steps " + (g.first() + 1) + "-" + (g.last() + 1) + ")";
    }

    private static List<String> policyDifferences(StepDefinition a, StepDefinition b) {
        List<String> d = new ArrayList<>();
        differ(d, "onFailure", a.onFailure(), b.onFailure());
        differ(d, "timeout", a.timeout(), b.timeout());
        retryDifferences(d, "retry", a.retry(), b.retry());
        retryDifferences(d, "compensationRetry", a.compensationRetry(), b.compensationRetry());
        return d;
    }

    private static void retryDifferences(List<String> d, String key, RetryPolicy a, RetryPolicy b) {
        Map<String, Object> was = fields(a);
        Map<String, Object> is = fields(b);
        was.forEach((field, value) -> differ(d, key + "." + field, value, is.get(field)));
    }

    private static Map<String, Object> fields(RetryPolicy p) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("attempts", p.attempts());
        f.put("inProcess.attempts", p.inProcessAttempts());
        f.put("inProcess.delay", p.inProcessDelay());
        f.put("backoff.initialDelay", p.initialDelay());
        f.put("backoff.multiplier", p.multiplier());
        f.put("backoff.maxDelay", p.maxDelay());
        f.put("backoff.jitter", p.jitter());
        f.put("retryOn", p.retryOn().stream().map(Class::getSimpleName).toList());
        f.put("abortOn", p.abortOn().stream().map(Class::getSimpleName).toList());
        return f;
    }

    private static void differ(List<String> d, String what, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            d.add(what + ": " + a + " -> " + b);
        }
    }
}
