package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.core.JsonPointer;

import io.sagaorchestrator.steps.OwnershipPolicy;
import io.sagaorchestrator.steps.StepFailure;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.runtime.configuration.DurationConverter;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads one YAML definition and checks it against the known actions. Every fault is reported as an
 * {@link InvalidDefinitionException} naming the file, the place (line and column, or the step) and
 * what is wrong, so a bad definition stops start-up with a message a person can act on.
 */
public final class DefinitionParser {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION); // a key written twice loses one silently
    private static final String FAILURE_PACKAGE = StepFailure.class.getPackageName() + ".";
    /** A definition-wide fault about one step or group names it so: {@code step 'save'}, {@code group 'accounts'}. */
    private static final Pattern NAMED = Pattern.compile("(step|group) '([a-z0-9][a-z0-9-]*)'");
    /** A definition-wide fault about a read: {@code step 'notify' reads the output of step 'crm-contact'}. */
    private static final Pattern READS = Pattern.compile("step '([a-z0-9][a-z0-9-]*)' reads the output of step '([a-z0-9][a-z0-9-]*)'");
    private static final Pattern USED_TWICE = Pattern.compile("(step|group) name '([^']+)' is used twice");
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The most items a forEach takes when it says nothing: a bound is always there, and a list beyond it is refused. */
    private static final int DEFAULT_MAX_ITEMS = 10;

    private final KnownActions actions;

    public DefinitionParser(KnownActions actions) {
        this.actions = actions;
    }

    public SagaDefinition parse(String file, String yaml) {
        DefinitionDoc doc;
        try {
            doc = YAML.readValue(yaml, DefinitionDoc.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String place = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidDefinitionException(file, place, e.getOriginalMessage());
        }
        if (doc == null) {
            throw new InvalidDefinitionException(file, "", "the file is empty");
        }
        List<StepDefinition> steps = new ArrayList<>();
        List<Group> groups = new ArrayList<>();
        List<StepDoc> stepDocs = doc.steps() == null ? List.of() : doc.steps();
        Map<String, Set<String>> earlierOutputs = new LinkedHashMap<>();
        for (int i = 0; i < stepDocs.size(); i++) {
            StepDoc s = stepDocs.get(i);
            if (s.parallel() != null) {
                groups.add(group(file, yaml, "steps[" + i + "]", s, steps, earlierOutputs));
                continue;
            }
            if (s.forEach() != null) {
                groups.add(forEach(file, yaml, "steps[" + i + "]", s, steps, earlierOutputs));
                continue;
            }
            steps.add(step(file, yaml, "steps[" + i + "]", s, earlierOutputs));
            StepDefinition step = steps.get(steps.size() - 1);
            earlierOutputs.put(step.name(), outputFields(step));
        }
        HttpStart httpStart = httpStart(file, doc);
        Duration deadline;
        try {
            deadline = deadline(doc.deadline());
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, topLevelLine(yaml, "deadline") + "deadline", e.getMessage());
        }
        LiveKey liveKey = liveKey(file, yaml, doc, httpStart);
        List<String> search = search(file, yaml, doc, httpStart);
        try {
            return new SagaDefinition(require(doc.name(), "name"), doc.version() == null ? 0 : doc.version(),
                    doc.description() == null ? "" : doc.description().strip(), steps, sha256(yaml), yaml, httpStart, deadline,
                    liveKey, search, groups);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidDefinitionException(file, placeOf(yaml, String.valueOf(e.getMessage())), e.getMessage());
        }
    }

    /**
     * Where a fault of the whole definition lies, by what its message names: a read of another step's output is on the line
     * of the read; a name used twice, on its second use; else the step or group it is about, on the line of its name.
     */
    private static String placeOf(String yaml, String message) {
        Matcher reads = READS.matcher(message);
        if (reads.find() && line(yaml, reads.group(1), "steps." + reads.group(2)) > 0) {
            return lineOf(yaml, reads.group(1), "steps." + reads.group(2)) + "step '" + reads.group(1) + "'";
        }
        Matcher twice = USED_TWICE.matcher(message);
        if (twice.find()) {
            int second = lastNameLine(yaml, twice.group(2));
            return second == 0 ? "" : "line " + second + ", " + twice.group(1) + " '" + twice.group(2) + "'";
        }
        Matcher named = NAMED.matcher(message);
        return named.find() ? lineOf(yaml, named.group(2), named.group(2)) + named.group(1) + " '" + named.group(2) + "'" : "";
    }

    /** The number of the last line that gives something the name {@code name}; 0 when none does. */
    private static int lastNameLine(String yaml, String name) {
        Pattern named = nameLine(name);
        String[] lines = yaml.split("\\R", -1);
        for (int i = lines.length - 1; i >= 0; i--) {
            if (named.matcher(lines[i]).matches()) {
                return i + 1;
            }
        }
        return 0;
    }

    /** One step written at {@code place}, checked against the known actions; a fault names its file and line. */
    private StepDefinition step(String file, String yaml, String place, StepDoc s, Map<String, Set<String>> earlierOutputs) {
        return step(file, yaml, place, s, earlierOutputs, false);
    }

    /** @param inForEach the step a forEach runs for each item: its calls may read {@code ${item}} and {@code ${index}} */
    private StepDefinition step(String file, String yaml, String place, StepDoc s, Map<String, Set<String>> earlierOutputs,
                                boolean inForEach) {
        String name = s.await() != null && s.name() == null ? s.await().name() : s.name();
        place = place + (name == null ? "" : " '" + name + "'");
        try {
            if (s.await() != null) {
                return awaitStep(s);
            }
            StepDefinition step = withOwnershipPolicy(step(s, earlierOutputs, inForEach), s.onUncertainOwnership(), yaml);
            checkActions(step);
            return step;
        } catch (TemplateException e) {
            throw new InvalidDefinitionException(file, lineOf(yaml, name, e.offending()) + place, e.getMessage());
        } catch (LocatedFault e) {
            throw new InvalidDefinitionException(file, e.line + place, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, (name == null ? "" : lineOfFault(yaml, name, e.getMessage())) + place,
                    e.getMessage());
        }
    }

    /** What later steps may read of a step's output: an await's payload fields, a declared call's output fields. */
    private static Set<String> outputFields(StepDefinition step) {
        if (step.await() != null) {
            return step.await().payload().fields().keySet();
        }
        return step.http() == null ? null : step.http().outputFields();
    }

    /**
     * A group written {@code - parallel: { name, maxConcurrency, compensation, when, steps }}: its branches join the steps
     * in the order written. A branch reads what came before the group, never a sibling's output (they run side by side), so
     * their outputs become readable only after the whole group.
     */
    private Group group(String file, String yaml, String place, StepDoc s, List<StepDefinition> steps,
                        Map<String, Set<String>> earlierOutputs) {
        ParallelDoc p = s.parallel();
        String name = p.name();
        String at = place + ".parallel" + (name == null ? "" : " '" + name + "'");
        String line = name == null ? "" : lineOf(yaml, name, name);
        writtenAlone(file, line, at, s, p, "a 'parallel' group", "parallel", "name, maxConcurrency, compensation, when, steps",
                name);
        if (p.steps() == null || p.steps().size() < 2) {
            throw new InvalidDefinitionException(file, line + at, "a group runs at least two branches side by side; a single"
                    + " step needs no group");
        }
        Group.CompensationOrder compensation = compensationOrder(file, yaml, name, at, p.compensation());
        Condition when = groupCondition(file, yaml, name, at, p.when());
        // a branch that reads a sibling is parsed as if it could, so that the definition refuses it for what it is (a read
        // of a step that runs beside it), rather than as a read of an unknown step
        Map<String, Set<String>> visible = new LinkedHashMap<>(earlierOutputs);
        p.steps().stream().map(DefinitionParser::branchName).filter(java.util.Objects::nonNull)
                .forEach(sibling -> visible.putIfAbsent(sibling, null));
        int first = steps.size();
        for (int j = 0; j < p.steps().size(); j++) {
            StepDoc b = p.steps().get(j);
            String branchName = branchName(b);
            String branchAt = at + ".steps[" + j + "]";
            String branchPlace = branchAt + (branchName == null ? "" : " '" + branchName + "'");
            String branchLine = branchName == null ? line : lineOf(yaml, branchName, branchName);
            refuseInGroup(file, yaml, b, branchName, branchLine, branchPlace);
            StepDefinition branch = step(file, yaml, branchAt, b, visible, false);
            refuseCheckUndoneTogether(file, yaml, compensation, branch, branchName, branchPlace);
            steps.add(j == 0 && when != null ? branch.withWhen(when) : branch);
        }
        for (int i = first; i < steps.size(); i++) {
            earlierOutputs.put(steps.get(i).name(), outputFields(steps.get(i)));
        }
        try {
            return new Group(name, first, steps.size() - 1, p.maxConcurrency() == null ? p.steps().size() : p.maxConcurrency(),
                    compensation);
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, (e.getMessage().contains("maxConcurrency")
                    ? lineOf(yaml, name, "maxConcurrency") : line) + at, e.getMessage());
        }
    }

    /**
     * A group written {@code - forEach: { name, items, maxItems, maxConcurrency, compensation, when, step }}: its step runs
     * once for each item of a list, side by side, as a group of {@code maxItems} branches named {@code <step>[<index>]}
     * (see {@link ForEach}). The items' outputs are the group's, by index: later steps do not read them one by one.
     */
    private Group forEach(String file, String yaml, String place, StepDoc s, List<StepDefinition> steps,
                          Map<String, Set<String>> earlierOutputs) {
        ForEachDoc f = s.forEach();
        String name = f.name();
        String at = place + ".forEach" + (name == null ? "" : " '" + name + "'");
        String line = name == null ? "" : lineOf(yaml, name, name);
        writtenAlone(file, line, at, s, f, "a 'forEach'", "forEach", "name, items, maxItems, maxConcurrency, compensation, when,"
                + " step", name);
        if (f.step() == null) {
            throw new InvalidDefinitionException(file, line + at, "a forEach names the step it runs for each item: write"
                    + " 'step: { name, type, http, compensation, ... }'");
        }
        ForEach forEach;
        try {
            forEach = new ForEach(items(require(f.items(), "forEach.items"), earlierOutputs),
                    f.maxItems() == null ? DEFAULT_MAX_ITEMS : f.maxItems());
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, lineOf(yaml, name, e.getMessage().contains("maxItems") ? "maxItems"
                    : "items") + at, e.getMessage());
        }
        Group.CompensationOrder compensation = compensationOrder(file, yaml, name, at, f.compensation());
        Condition when = groupCondition(file, yaml, name, at, f.when());
        StepDoc b = f.step();
        String stepName = branchName(b);
        String stepPlace = at + ".step" + (stepName == null ? "" : " '" + stepName + "'");
        refuseInGroup(file, yaml, b, stepName, stepName == null ? line : lineOf(yaml, stepName, stepName), stepPlace);
        StepDefinition step = step(file, yaml, at + ".step", b, earlierOutputs, true);
        refuseCheckUndoneTogether(file, yaml, compensation, step, stepName, stepPlace);
        int first = steps.size();
        for (int i = 0; i < forEach.maxItems(); i++) {
            StepDefinition item = step.forItem(forEach, i);
            steps.add(i == 0 && when != null ? item.withWhen(when) : item);
        }
        try {
            return new Group(name, first, steps.size() - 1, f.maxConcurrency() == null ? forEach.maxItems() : f.maxConcurrency(),
                    compensation, forEach);
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, (e.getMessage().contains("maxConcurrency")
                    ? lineOf(yaml, name, "maxConcurrency") : line) + at, e.getMessage());
        }
    }

    /**
     * A group's block ({@code parallel:} or {@code forEach:}) holds everything the group takes, so a key beside it is refused
     * rather than ignored; and it names the group.
     */
    private static void writtenAlone(String file, String line, String at, StepDoc s, Object block, String what, String keyword,
                                     String keys, String name) {
        if (s.hasBeside(block)) {
            throw new InvalidDefinitionException(file, line + at, what + " is written with everything inside its block (" + keys
                    + "): nothing may stand beside '" + keyword + ":'");
        }
        if (name == null || name.isBlank()) {
            throw new InvalidDefinitionException(file, at, "'" + keyword + ".name' is missing");
        }
    }

    /** A forEach's {@code items}: one {@code ${...}} reading a list of the input or of an earlier step's output. */
    private static Reference items(String text, Map<String, Set<String>> earlierOutputs) {
        Template template = Template.parse(text);
        if (template.parts().size() != 1 || !(template.parts().get(0) instanceof Reference items)) {
            throw new TemplateException(text, "forEach.items '" + text + "' must be one reference to a list, e.g."
                    + " ${input.seats} or ${steps.quote.output.lines}");
        }
        if (items.root() == Reference.Root.STEPS && !earlierOutputs.containsKey(items.step())) {
            throw new TemplateException(text, "forEach.items " + text + " names step '" + items.step() + "', which is not"
                    + " an earlier step (earlier: " + (earlierOutputs.isEmpty() ? "none" : String.join(", ",
                    earlierOutputs.keySet())) + ")");
        }
        return items;
    }

    /** A group's {@code compensation:}, the order its branches are undone in. */
    private static Group.CompensationOrder compensationOrder(String file, String yaml, String name, String at, String written) {
        try {
            return written == null ? Group.CompensationOrder.REVERSE
                    : Group.CompensationOrder.valueOf(written.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, lineOf(yaml, name, "compensation") + at, "compensation '"
                    + written + "' is not an order a group is undone in: write 'reverse' (one at a time, last"
                    + " started first; the default) or 'parallel' (side by side)");
        }
    }

    /** A group's {@code when:}, which runs all its branches or none. */
    private static Condition groupCondition(String file, String yaml, String name, String at, String written) {
        try {
            return written == null ? null : Condition.parse(written);
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, lineOf(yaml, name, "when") + at, e.getMessage());
        }
    }

    /** What a branch cannot be, written inside a group: another group, an await, or a step with a condition or deadline. */
    private static void refuseInGroup(String file, String yaml, StepDoc b, String branchName, String branchLine,
                                      String branchPlace) {
        if (b.parallel() != null || b.forEach() != null) {
            throw new InvalidDefinitionException(file, branchLine + branchPlace, "a group cannot hold another group: write"
                    + " the inner group's branches into this one, or put the inner group before or after it");
        }
        if (b.await() != null) {
            throw new InvalidDefinitionException(file, branchLine + branchPlace, "a branch cannot wait for a signal: put"
                    + " the await before or after the group");
        }
        if (b.when() != null) {
            throw new InvalidDefinitionException(file, lineOf(yaml, branchName, "when:") + branchPlace, "a branch has no"
                    + " condition of its own: put 'when' on the group, which runs all its branches or none");
        }
        if (b.deadline() != null) {
            throw new InvalidDefinitionException(file, lineOf(yaml, branchName, "deadline:") + branchPlace, "a branch has"
                    + " no deadline of its own: the branches run together, under the saga's deadline");
        }
    }

    private static void refuseCheckUndoneTogether(String file, String yaml, Group.CompensationOrder compensation,
                                                  StepDefinition branch, String branchName, String branchPlace) {
        if (compensation == Group.CompensationOrder.PARALLEL && branch.verify() != null) {
            throw new InvalidDefinitionException(file, lineOf(yaml, branchName, "verify:") + branchPlace, "a branch of a"
                    + " group undone side by side cannot check its undo yet ('verify:'): write 'compensation: reverse' on"
                    + " the group, or leave the check out");
        }
    }

    /** The name an item of a group's {@code steps:} is written with, wherever its kind keeps it; null when it has none. */
    private static String branchName(StepDoc b) {
        return b.name() != null ? b.name() : b.await() != null ? b.await().name() : b.parallel() != null ? b.parallel().name()
                : b.forEach() != null ? b.forEach().name() : null;
    }

    /** The definition's {@code key:} and {@code onLiveKey:}; a key reads only fields its declared input has, when it declares one. */
    private static LiveKey liveKey(String file, String yaml, DefinitionDoc doc, HttpStart httpStart) {
        if (doc.key() == null) {
            if (doc.onLiveKey() != null) {
                throw new InvalidDefinitionException(file, topLevelLine(yaml, "onLiveKey") + "onLiveKey",
                        "says what a start does while another saga holds the key, but the definition declares no 'key'");
            }
            return null;
        }
        LiveKey.WhileLive whileLive = switch (doc.onLiveKey() == null ? "wait" : doc.onLiveKey().toLowerCase(Locale.ROOT)) {
            case "wait" -> LiveKey.WhileLive.WAIT;
            case "refuse" -> LiveKey.WhileLive.REFUSE;
            default -> throw new InvalidDefinitionException(file, topLevelLine(yaml, "onLiveKey") + "onLiveKey",
                    "'" + doc.onLiveKey() + "' is neither 'wait' nor 'refuse'");
        };
        LiveKey key;
        try {
            key = LiveKey.parse(doc.key(), whileLive);
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, topLevelLine(yaml, "key") + "key", e.getMessage());
        }
        if (httpStart != null) {
            key.template().references().stream().map(r -> r.path().get(0))
                    .filter(field -> !httpStart.input().fields().containsKey(field)).findFirst()
                    .ifPresent(field -> {
                        throw new InvalidDefinitionException(file, topLevelLine(yaml, "key") + "key", "reads input." + field
                                + ", which is not a field of input (fields: " + String.join(", ", httpStart.input().fields().keySet()) + ")");
                    });
        }
        return key;
    }

    /**
     * The definition's {@code search:}, the input fields its sagas are found by; each must be a plain field of its declared
     * input, when it declares one (an undeclared input is the application's to fill, as for {@code key:}).
     */
    private static List<String> search(String file, String yaml, DefinitionDoc doc, HttpStart httpStart) {
        if (doc.search() == null) {
            return List.of();
        }
        String place = topLevelLine(yaml, "search") + "search";
        Set<String> seen = new java.util.HashSet<>();
        for (String field : doc.search()) {
            if (field == null || !field.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InvalidDefinitionException(file, place, "'" + field + "' is not the name of an input field"
                        + " (write the field's name, e.g. search: [phone])");
            }
            if (!seen.add(field)) {
                throw new InvalidDefinitionException(file, place, "names '" + field + "' twice");
            }
            if (httpStart == null) {
                continue;
            }
            InputField declared = httpStart.input().fields().get(field);
            if (declared == null) {
                throw new InvalidDefinitionException(file, place, "'" + field + "' is not a field of input (fields: "
                        + String.join(", ", httpStart.input().fields().keySet()) + ")");
            }
            if (declared.type() == InputField.Type.OBJECT || declared.type() == InputField.Type.ARRAY) {
                throw new InvalidDefinitionException(file, place, "'" + field + "' is an " + declared.type().yamlName()
                        + ": only a string, integer, number or boolean field has a value to search by");
            }
        }
        return List.copyOf(doc.search());
    }

    private static HttpStart httpStart(String file, DefinitionDoc doc) {
        if (doc.input() == null) {
            if (doc.businessKey() != null || doc.startRoles() != null) {
                throw new InvalidDefinitionException(file, doc.businessKey() != null ? "businessKey" : "startRoles",
                        "needs an 'input' block: without one the saga cannot be started over HTTP");
            }
            return null;
        }
        var fields = new LinkedHashMap<String, InputField>();
        doc.input().forEach((name, field) -> {
            try {
                fields.put(name, inputField(name, field));
            } catch (IllegalArgumentException e) {
                throw new InvalidDefinitionException(file, "input." + name, e.getMessage());
            }
        });
        InputSchema input = new InputSchema(fields);
        try {
            return new HttpStart(input, doc.businessKey(), doc.startRoles());
        } catch (IllegalArgumentException e) {
            throw new InvalidDefinitionException(file, e.getMessage().startsWith("businessKey") ? "businessKey" : "startRoles",
                    e.getMessage());
        }
    }

    private static InputField inputField(String name, InputFieldDoc f) {
        if (f == null) {
            throw new IllegalArgumentException("declares nothing (write e.g. { type: string, required: true })");
        }
        InputField.Type type;
        try {
            type = InputField.Type.valueOf(require(f.type(), "type").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f.type() == null ? e.getMessage() : "type '" + f.type()
                    + "' is not one of string, integer, number, boolean, object, array");
        }
        Pattern pattern;
        try {
            pattern = f.pattern() == null ? null : Pattern.compile(f.pattern());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pattern '" + f.pattern() + "' is not a regular expression: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
        PlainText.Kind text = switch (f.text() == null ? "" : f.text().toLowerCase(Locale.ROOT)) {
            case "" -> null;
            case "message" -> PlainText.Kind.MESSAGE;
            case "name" -> PlainText.Kind.NAME;
            default -> throw new IllegalArgumentException("text '" + f.text() + "' is neither 'message' nor 'name'");
        };
        if (f.values() != null && f.values().isEmpty()) {
            throw new IllegalArgumentException("enum is empty: no value could pass");
        }
        return new InputField(name, type, Boolean.TRUE.equals(f.required()), pattern, f.maxLength(), f.minimum(), f.maximum(),
                f.values(), text, f.maxItems());
    }

    private StepDefinition step(StepDoc s, Map<String, Set<String>> earlierOutputs, boolean inForEach) {
        StepKind kind = switch (require(s.type(), "type").toLowerCase(Locale.ROOT)) {
            case "remote" -> StepKind.REMOTE;
            case "outbox" -> StepKind.OUTBOX;
            case "local" -> StepKind.LOCAL;
            default -> throw new IllegalArgumentException("type '" + s.type() + "' is not one of remote, outbox, local");
        };
        FailurePolicy onFailure = switch (s.onFailure() == null ? "" : s.onFailure().toLowerCase(Locale.ROOT)) {
            case "" -> kind == StepKind.OUTBOX ? FailurePolicy.ESCALATE : FailurePolicy.COMPENSATE;
            case "compensate" -> FailurePolicy.COMPENSATE;
            case "escalate" -> FailurePolicy.ESCALATE;
            default -> throw new IllegalArgumentException("onFailure '" + s.onFailure() + "' is neither 'compensate' nor 'escalate'");
        };
        if (s.action() != null && s.http() != null) {
            throw new IllegalArgumentException("step '" + s.name() + "' has both 'action' and 'http': name an action bean or"
                    + " declare the call, not both");
        }
        Map<String, Set<String>> earlier = Collections.unmodifiableMap(new LinkedHashMap<>(earlierOutputs));
        HttpCall http = s.http() == null ? null : HttpCall.parse(s.http(), new HttpCall.Scope(earlier, false, null, inForEach));
        CompensationDoc compensation = compensation(s.compensation());
        if (compensation.action() != null && compensation.http() != null) {
            throw new IllegalArgumentException("compensation of step '" + s.name() + "' has both 'action' and 'http': name an"
                    + " action bean or declare the call, not both");
        }
        HttpCall compensationHttp = compensation.http() == null ? null : HttpCall.parse(compensation.http(),
                new HttpCall.Scope(earlier, true, http == null ? null : http.outputFields(), inForEach));
        RetryPolicy compensationRetry = policy(s.compensationRetry(), "compensationRetry");
        CompensationCheck verify = compensation.verify() == null ? null : verify(compensation.verify(), compensationRetry,
                new HttpCall.Scope(earlier, true, http == null ? null : http.outputFields(), inForEach));
        return new StepDefinition(require(s.name(), "name"), kind, http == null ? s.action() : http.label(),
                compensationHttp == null ? compensation.action() : compensationHttp.label(),
                s.timeout() == null ? DEFAULT_TIMEOUT : duration(s.timeout(), "timeout"),
                policy(s.retry(), "retry"), compensationRetry, onFailure, http, compensationHttp,
                deadline(s.deadline()), OwnershipPolicy.ESCALATE, s.when() == null ? null : Condition.parse(s.when()), verify);
    }

    /**
     * A step written {@code - await: { name, signal, payload, timeout, onTimeout, rejectWhen, roles }} (see {@link Await}):
     * everything it takes is inside its {@code await:} block, so a key beside it is refused rather than ignored.
     */
    private static StepDefinition awaitStep(StepDoc s) {
        if (s.hasBeside(s.await())) {
            throw new IllegalArgumentException("an 'await' step is written with everything inside its block (name, signal,"
                    + " payload, timeout, onTimeout, rejectWhen, roles): nothing may stand beside 'await:'");
        }
        AwaitDoc a = s.await();
        String name = require(a.name(), "await.name");
        String signal = require(a.signal(), "await.signal");
        var fields = new LinkedHashMap<String, InputField>();
        if (a.payload() != null) {
            a.payload().forEach((field, doc) -> {
                try {
                    fields.put(field, inputField(field, doc));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("payload." + field + ": " + e.getMessage(), e);
                }
            });
        }
        Duration timeout = duration(require(a.timeout(), "await.timeout"), "timeout");
        Await.OnTimeout onTimeout = switch (a.onTimeout() == null ? "compensate" : a.onTimeout().toLowerCase(Locale.ROOT)) {
            case "compensate" -> Await.OnTimeout.COMPENSATE;
            case "escalate" -> Await.OnTimeout.ESCALATE;
            case "continue" -> Await.OnTimeout.CONTINUE;
            default -> throw new IllegalArgumentException("onTimeout '" + a.onTimeout()
                    + "' is not one of compensate, escalate, continue");
        };
        Condition rejectWhen = a.rejectWhen() == null ? null : Condition.parseRejectWhen(a.rejectWhen());
        if (a.roles() != null) {
            for (String role : a.roles()) {
                if (role == null || !role.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")) {
                    throw new IllegalArgumentException("role '" + role + "' is not a role name");
                }
            }
        }
        return StepDefinition.awaiting(name, new Await(signal, new InputSchema(fields), timeout, onTimeout, rejectWhen,
                a.roles()));
    }

    /**
     * A compensation's {@code verify:} block (see {@link CompensationCheck}): a GET, an expectation, and a budget that
     * defaults to the compensation's. Its faults point at the {@code verify:} line, or at the offending text in it.
     */
    private static CompensationCheck verify(VerifyDoc v, RetryPolicy compensationRetry, HttpCall.Scope scope) {
        if (v.http() == null) {
            throw new TemplateException("verify:", "compensation.verify has no 'http': declare the GET that shows whether the"
                    + " undo took effect, e.g. http: { method: GET, target: crm, path: /contacts/${forward.output.id} }");
        }
        HttpCall call = HttpCall.parse(v.http(), scope);
        if (!"GET".equals(call.method())) {
            throw new TemplateException(v.http().method(), "compensation.verify.http.method '" + v.http().method()
                    + "' must be GET: a check only reads, it never changes what it checks");
        }
        if (v.http().body() != null) {
            throw new TemplateException("verify:", "compensation.verify.http sends a body: a GET check sends none");
        }
        ExpectDoc e = v.expect();
        if (e == null || (e.status() == null && e.pointer() == null)) {
            throw new TemplateException("verify:", "compensation.verify has no 'expect': say what the answer shows once the undo"
                    + " took effect, e.g. expect: { status: 404 } or expect: { pointer: /state, value: cancelled }");
        }
        if (e.status() != null && (e.status() < 100 || e.status() > 599)) {
            throw new TemplateException("status: " + e.status(), "compensation.verify.expect.status " + e.status()
                    + " is not an HTTP status (100-599)");
        }
        JsonPointer pointer = null;
        if (e.pointer() != null) {
            if (!e.pointer().startsWith("/")) {
                throw new TemplateException(e.pointer(), "compensation.verify.expect.pointer '" + e.pointer()
                        + "' is not a JSON pointer (write e.g. /state or /data/0/state)");
            }
            pointer = JsonPointer.compile(e.pointer());
            if (e.value() == null || e.value().isNull()) {
                throw new TemplateException(e.pointer(), "compensation.verify.expect.pointer '" + e.pointer()
                        + "' has no 'value': say what the answer has there once the undo took effect");
            }
        } else if (e.value() != null) {
            throw new TemplateException("value:", "compensation.verify.expect.value has no 'pointer': say where in the answer"
                    + " it is, e.g. pointer: /state");
        }
        RetryPolicy retry = v.retry() == null ? compensationRetry : policy(v.retry(), "compensation.verify.retry");
        return new CompensationCheck(call, e.status(), pointer, e.value(), retry);
    }

    /** The step's {@code onUncertainOwnership}, read where it can apply (see {@link StepDefinition#compensationMayMeetUncertainOwnership}). */
    private static StepDefinition withOwnershipPolicy(StepDefinition step, String written, String yaml) {
        if (written == null) {
            return step;
        }
        String line = lineOf(yaml, step.name(), "onUncertainOwnership");
        OwnershipPolicy policy = switch (written.toLowerCase(Locale.ROOT)) {
            case "escalate" -> OwnershipPolicy.ESCALATE;
            case "compensate" -> OwnershipPolicy.COMPENSATE;
            case "keep" -> OwnershipPolicy.KEEP;
            default -> throw new LocatedFault(line, "onUncertainOwnership '" + written + "' is not one of escalate, compensate, keep");
        };
        if (!step.compensationMayMeetUncertainOwnership()) {
            // refused rather than ignored, so that nobody believes it protects a step it cannot reach
            throw new LocatedFault(line, "onUncertainOwnership applies only to a remote or outbox step whose compensation is an"
                    + " action bean (only one can meet an effect that may be somebody else's); this step's "
                    + (!step.kind().callsThirdParty() ? "effect is local and commits with the saga log"
                    : step.hasCompensation() ? "compensation is a declared call, addressed by what the step recorded"
                    : "has no compensation"));
        }
        return new StepDefinition(step.name(), step.kind(), step.action(), step.compensation(), step.timeout(), step.retry(),
                step.compensationRetry(), step.onFailure(), step.http(), step.compensationHttp(), step.deadline(), policy,
                step.when(), step.verify());
    }

    /** A compensation is written as an action bean's name, or as a mapping with {@code action:} or {@code http:}. */
    private static CompensationDoc compensation(JsonNode node) {
        if (node == null || node.isNull()) {
            return new CompensationDoc(null, null, null);
        }
        if (node.isTextual()) {
            return new CompensationDoc(node.textValue(), null, null);
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("compensation must be an action name or a mapping with 'action:' or 'http:' (and 'verify:')");
        }
        try {
            return YAML.treeToValue(node, CompensationDoc.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("compensation: " + e.getOriginalMessage());
        }
    }

    private void checkActions(StepDefinition step) {
        if (step.kind() == StepKind.AWAIT) {
            return;
        }
        Set<String> forward = step.kind().callsThirdParty() ? actions.remoteActions() : actions.localActions();
        if (step.http() == null) {
            requireKnown(step.action(), forward, step.kind(), "action");
        }
        if (step.hasCompensation() && step.compensationHttp() == null) {
            requireKnown(step.compensation(), forward, step.kind(), "compensation");
        }
    }

    /**
     * "line N, " of the first line that has the offending text, at or after the step's {@code name:}: the records
     * Jackson reads the YAML into keep no locations.
     */
    private static String lineOf(String yaml, String step, String offending) {
        int line = line(yaml, step, offending);
        return line == 0 ? "" : "line " + line + ", ";
    }

    /**
     * "line N, " of a fault in step {@code step} whose message quotes what is wrong ({@code action 'ttAdUser' is not
     * known}): the line of the first quoted value written in the step, or else the step's name.
     */
    private static String lineOfFault(String yaml, String step, String message) {
        Matcher quoted = QUOTED.matcher(String.valueOf(message));
        while (quoted.find()) {
            if (!quoted.group(1).equals(step) && line(yaml, step, quoted.group(1)) > 0) {
                return lineOf(yaml, step, quoted.group(1));
            }
        }
        return lineOf(yaml, step, step);
    }

    /**
     * The number (from 1) of the first line that has {@code text}, at or after the {@code name:} of step {@code step}
     * (from the top when null); 0 when there is none.
     */
    public static int line(String yaml, String step, String text) {
        String[] lines = yaml.split("\\R", -1);
        int from = 0;
        if (step != null) {
            Pattern named = nameLine(step);
            for (int i = 0; i < lines.length; i++) {
                if (named.matcher(lines[i]).matches()) {
                    from = i;
                    break;
                }
            }
        }
        for (int i = from; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        return 0;
    }

    /** A line that gives a step or a group the name {@code name}: {@code - name: save}, {@code   name: accounts}. */
    private static Pattern nameLine(String name) {
        return Pattern.compile("^(\\s*-\\s*|\\s+)name:\\s*[\"']?" + Pattern.quote(name) + "[\"']?\\s*(#.*)?$");
    }

    /** "line N, " of a key of the definition itself (written at the start of its line), for the keys outside the steps. */
    private static String topLevelLine(String yaml, String key) {
        String[] lines = yaml.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(key + ":")) {
                return "line " + (i + 1) + ", ";
            }
        }
        return "";
    }

    private static void requireKnown(String name, Set<String> known, StepKind kind, String what) {
        if (!known.contains(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a known "
                    + (kind.callsThirdParty() ? "remote" : "local") + " action (known: " + String.join(", ", new TreeSet<>(known)) + ")");
        }
    }

    private static RetryPolicy policy(RetryDoc r, String where) {
        RetryPolicy d = RetryPolicy.DEFAULT;
        if (r == null) {
            return d;
        }
        InProcessDoc quick = r.inProcess() == null ? new InProcessDoc(null, null) : r.inProcess();
        BackoffDoc backoff = r.backoff() == null ? new BackoffDoc(null, null, null, null) : r.backoff();
        try {
            return new RetryPolicy(
                    r.attempts() == null ? d.attempts() : r.attempts(),
                    quick.attempts() == null ? d.inProcessAttempts() : quick.attempts(),
                    quick.delay() == null ? d.inProcessDelay() : duration(quick.delay(), "inProcess.delay"),
                    backoff.initialDelay() == null ? d.initialDelay() : duration(backoff.initialDelay(), "backoff.initialDelay"),
                    backoff.multiplier() == null ? d.multiplier() : backoff.multiplier(),
                    backoff.maxDelay() == null ? d.maxDelay() : duration(backoff.maxDelay(), "backoff.maxDelay"),
                    backoff.jitter() == null ? d.jitter() : backoff.jitter(),
                    r.retryOn() == null ? d.retryOn() : failureClasses(r.retryOn()),
                    r.abortOn() == null ? d.abortOn() : failureClasses(r.abortOn()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static List<Class<? extends Throwable>> failureClasses(List<String> names) {
        List<Class<? extends Throwable>> classes = new ArrayList<>();
        for (String name : names) {
            String qualified = name.contains(".") ? name : FAILURE_PACKAGE + name;
            try {
                classes.add(Class.forName(qualified, false, DefinitionParser.class.getClassLoader()).asSubclass(Throwable.class));
            } catch (ClassNotFoundException | ClassCastException e) {
                throw new IllegalArgumentException("failure kind '" + name + "' is not an exception class"
                        + " (use RejectedFailure, UnavailableFailure, UnknownOutcomeFailure, ManualRepairRequired or a class name)");
            }
        }
        return classes;
    }

    private static Duration duration(String text, String what) {
        try {
            return DurationConverter.parseDuration(text.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a duration (write e.g. 500ms, 2s, 5m)");
        }
    }

    /** A saga's or a step's {@code deadline:}, or null when none is written. */
    private static Duration deadline(String text) {
        if (text == null) {
            return null;
        }
        Duration d = duration(text, "deadline");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("deadline '" + text + "' must be positive");
        }
        return d;
    }

    private static String require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + what + "' is missing");
        }
        return value;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** A fault of a key the records Jackson reads keep no location for: {@code line} is "line N, " or empty. */
    private static final class LocatedFault extends IllegalArgumentException {
        final String line;

        LocatedFault(String line, String message) {
            super(message);
            this.line = line;
        }
    }

    record DefinitionDoc(String name, Integer version, String description, Map<String, InputFieldDoc> input, String businessKey,
                         List<String> startRoles, List<StepDoc> steps, String deadline, String key, String onLiveKey,
                         List<String> search) {
    }

    record InputFieldDoc(String type, Boolean required, String pattern, Integer maxLength, BigDecimal minimum, BigDecimal maximum,
                         @JsonProperty("enum") List<String> values, String text, Integer maxItems) {
    }

    record StepDoc(String name, String type, String action, HttpCallDoc http, JsonNode compensation, String timeout,
                   RetryDoc retry, RetryDoc compensationRetry, String onFailure, String deadline, String onUncertainOwnership,
                   String when, @JsonProperty("await") AwaitDoc await, ParallelDoc parallel, ForEachDoc forEach) {

        /** Whether anything but {@code block} (its {@code parallel}, {@code forEach} or {@code await}) is written in it. */
        boolean hasBeside(Object block) {
            return java.util.stream.Stream.of(name, type, action, http, compensation, timeout, retry, compensationRetry,
                    onFailure, deadline, onUncertainOwnership, when, await, parallel, forEach).anyMatch(v -> v != null && v != block);
        }
    }

    record ForEachDoc(String name, String items, Integer maxItems, Integer maxConcurrency, String compensation, String when,
                      StepDoc step) {
    }

    record ParallelDoc(String name, Integer maxConcurrency, String compensation, String when, List<StepDoc> steps) {
    }

    record AwaitDoc(String name, String signal, Map<String, InputFieldDoc> payload, String timeout, String onTimeout,
                    String rejectWhen, List<String> roles) {
    }

    record CompensationDoc(String action, HttpCallDoc http, VerifyDoc verify) {
    }

    record VerifyDoc(HttpCallDoc http, ExpectDoc expect, RetryDoc retry) {
    }

    record ExpectDoc(Integer status, String pointer, JsonNode value) {
    }

    record RetryDoc(Integer attempts, InProcessDoc inProcess, BackoffDoc backoff, List<String> retryOn, List<String> abortOn) {
    }

    record InProcessDoc(Integer attempts, String delay) {
    }

    record BackoffDoc(String initialDelay, Double multiplier, String maxDelay, Double jitter) {
    }
}
