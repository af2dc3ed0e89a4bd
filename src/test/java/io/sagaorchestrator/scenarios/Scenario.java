package io.sagaorchestrator.scenarios;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sagaorchestrator.core.Effect;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One test scenario file of {@code saga-definitions/tests/}: the saga to start with its input, how each of its third parties
 * answers, where its run is killed (optional), and what must come of it. Immutable, and checked against the saga's
 * definition when read: a file that cannot mean anything fails with its name and what is wrong, before anything runs.
 *
 * <pre>{@code
 * saga: order-checkout
 * given: { sql: [ "insert into ..." ] }                      # optional: the local data the saga meets
 * input: { sku: "A-${unique}", quantity: 2, amount: 30.00, currency: EUR }
 * thirdParties:
 *   payments:
 *     "POST /charges": [ { lose: answer }, { status: 201, body: { id: ch_1 } } ]
 *   inventory:
 *     "POST /reservations": { status: 201, body: { id: r_1 } }
 * killAfter: { step: charge-payment, point: intent }   # or { step: <an await>, point: waiting }
 * await: { signal: approval, send: { approved: true } }   # optional, for a saga with an await step
 * expect:
 *   status: COMPLETED
 *   calls: [ "POST inventory /reservations", "POST payments /charges", "POST payments /charges" ]
 * }</pre>
 *
 * <p>The branches of a parallel group call side by side, so the order of their calls is not the saga's to decide: a list
 * inside {@code calls} is a run of calls made in any order, e.g. {@code calls: [ [ "POST inventory /reservations",
 * "POST payments /charges" ], "DELETE inventory /reservations/{key}" ]}.
 *
 * @param file         the file's name, in every message about it
 * @param saga         the definition's name
 * @param givenSql     statements run on the service's database before the start ({@code given.sql}): the local data a
 *                     local step meets, e.g. a row that breaks its constraint; {@code ${unique}} as in the input
 * @param input        the start's body; {@code ${unique}} in a text stands for 8 digits of each run's own (so that runs
 *                     never meet each other's rows or keys), in the answers' bodies too
 * @param thirdParties per third party (a target of the definition, or {@code tt}), its scripted routes in file order
 * @param killAfter    where the run is killed, or null
 * @param expect       what must come of it
 * @param sagaThirdParties the third parties the saga's definition calls ({@link #thirdPartiesOf})
 * @param await        what happens at the saga's await step, or null (then nobody answers, and its wait runs out)
 */
public record Scenario(String file, String saga, List<String> givenSql, JsonNode input, Map<String, List<Route>> thirdParties,
                       Kill killAfter, Expect expect, Set<String> sagaThirdParties, Await await) {

    /** The third party the user-sync action beans call (TT land cloud), by its name in scenario files. */
    public static final String TT = "tt";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("saga", "given", "input", "thirdParties", "killAfter", "expect", "await");
    private static final Pattern ROUTE = Pattern.compile("(GET|POST|PUT|PATCH|DELETE) (/\\S*)");

    public Scenario {
        givenSql = List.copyOf(givenSql);
        thirdParties = Collections.unmodifiableMap(new LinkedHashMap<>(thirdParties));
        sagaThirdParties = Set.copyOf(sagaThirdParties);
    }

    /** Where a run is killed: after the intent of a remote step's attempt, or after a local step's commit. */
    public enum Point {
        INTENT("intent"), LOCAL_COMMIT("local-commit"),
        /** While the saga waits at an await step: a kill then finds nothing to take (no owner, no lease, no run). */
        WAITING("waiting");

        final String name;

        Point(String name) {
            this.name = name;
        }
    }

    public record Kill(String step, Point point) {
    }

    /**
     * What happens at the saga's await ({@code await:}): the signal it must come to wait for, the payload sent by SQL
     * ({@code saga_signal}, as the application would) once it waits (null: nobody answers, and the runner lets the wait
     * run out at once, as it lets a retry's backoff pass), whether it is sent {@code early} (right after the start,
     * before the saga gets there), and whether the service is {@code down} meanwhile: nobody may take the saga while
     * the signal is sent or the wait runs out; then the service is back and recovery takes it over from the log.
     */
    public record Await(String signal, JsonNode send, boolean early, boolean down) {
    }

    /** A scripted route of a third party: {@code "METHOD /path"}, where a {@code {name}} segment matches any one segment. */
    public record Route(String method, String path, List<Answer> answers) {

        public Route {
            answers = List.copyOf(answers);
        }

        /** The path as a regular expression over the path as received (after the third party's base path). */
        public String pathRegex() {
            StringBuilder regex = new StringBuilder();
            Matcher m = Pattern.compile("\\{[^/}]+}").matcher(path);
            int at = 0;
            while (m.find()) {
                regex.append(Pattern.quote(path.substring(at, m.start()))).append("[^/]+");
                at = m.end();
            }
            return regex.append(Pattern.quote(path.substring(at))).toString();
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** How a third party answers one call. */
    public sealed interface Answer permits Respond, LoseAnswer {
    }

    /** It answers with this status and body (JSON; none when null). */
    public record Respond(int status, JsonNode body) implements Answer {
    }

    /** It does the work, but the answer never reaches the engine (the connection is reset after the request). */
    public record LoseAnswer() implements Answer {
    }

    /**
     * @param status           the status the saga ends with (a terminal one, ESCALATED included)
     * @param calls            the calls the doubles received, in order, as {@code "METHOD third-party /path"} (the path as
     *                         received, or the route's template), each entry a run of calls made in any order (one call
     *                         for a plain entry, the calls of a group's branches for a list); null when not checked
     * @param escalatedBecause a text the saga's last error must contain; null when not checked
     * @param steps            the effect each named step must end with ({@code NONE}: it never had one)
     */
    public record Expect(SagaStatus status, List<List<String>> calls, String escalatedBecause, Map<String, String> steps) {
        public Expect {
            calls = calls == null ? null : calls.stream().map(List::copyOf).toList();
            steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        }

        /** The calls as the file writes them: a plain entry bare, a run in any order as a list. */
        public String describeCalls() {
            return calls.stream().map(run -> run.size() == 1 ? run.get(0) : run.toString())
                    .collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** A scenario file that cannot be run, with its name and what is wrong. */
    public static final class InvalidScenarioException extends RuntimeException {
        public InvalidScenarioException(String file, String problem) {
            super(file + ": " + problem);
        }
    }

    /**
     * Reads a scenario file and checks it against the definitions.
     *
     * @param definitions the current definition of a name, if one is loaded
     * @throws InvalidScenarioException when it names an unknown saga, step, point or third party, or an answer is neither
     *                                  {@code {status, body}} nor {@code {lose: answer}}
     */
    public static Scenario parse(String file, String yaml, Function<String, Optional<SagaDefinition>> definitions) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new InvalidScenarioException(file, "not YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidScenarioException(file, "must be a mapping with saga, input, thirdParties and expect");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidScenarioException(file, "unknown field '" + name + "'; a scenario has " + String.join(", ", sorted(FIELDS)));
            }
        }
        String sagaName = text(file, root, "saga", "the saga's definition name");
        SagaDefinition definition = definitions.apply(sagaName)
                .orElseThrow(() -> new InvalidScenarioException(file, "unknown saga '" + sagaName + "': no definition of that name is loaded"));
        JsonNode input = root.get("input");
        if (input == null || !input.isObject()) {
            throw new InvalidScenarioException(file, "input must be a mapping: the body that starts the saga");
        }
        List<String> givenSql = givenSql(file, root.get("given"));
        Map<String, List<Route>> thirdParties = thirdParties(file, root.get("thirdParties"), definition);
        Kill kill = kill(file, root.get("killAfter"), definition);
        Expect expect = expect(file, root.get("expect"), definition);
        Await await = await(file, root.get("await"), definition);
        return new Scenario(file, sagaName, givenSql, input, thirdParties, kill, expect, thirdPartiesOf(definition), await);
    }

    private static Await await(String file, JsonNode node, SagaDefinition definition) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidScenarioException(file, "await must be a mapping: { signal, send, early, down }");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Set.of("signal", "send", "early", "down").contains(name)) {
                throw new InvalidScenarioException(file, "unknown field 'await." + name + "'; await has signal, send, early, down");
            }
        }
        String signal = text(file, node, "signal", "the signal the saga waits for (await.signal)");
        if (definition.awaitFor(signal).isEmpty()) {
            throw new InvalidScenarioException(file, "await.signal '" + signal + "': saga " + definition.name()
                    + " waits for no such signal");
        }
        JsonNode send = node.get("send");
        if (send != null && !send.isObject()) {
            throw new InvalidScenarioException(file, "await.send must be a mapping: the signal's payload");
        }
        boolean early = node.path("early").asBoolean(false);
        if (early && send == null) {
            throw new InvalidScenarioException(file, "await.early sends the signal before the saga waits, but await.send gives none");
        }
        return new Await(signal, send, early, node.path("down").asBoolean(false));
    }

    /**
     * The third parties a definition calls, by the names a scenario gives them: the targets of its declared calls, and
     * {@code tt} when a step calls through an action bean (the shipped ones call TT land cloud).
     */
    public static Set<String> thirdPartiesOf(SagaDefinition definition) {
        Set<String> names = new LinkedHashSet<>();
        for (StepDefinition step : definition.steps()) {
            if (step.http() != null) {
                names.add(step.http().target());
            }
            if (step.compensationHttp() != null) {
                names.add(step.compensationHttp().target());
            }
            if (step.kind().callsThirdParty() && step.http() == null) {
                names.add(TT);
            }
        }
        return names;
    }

    /** The input for one run: every {@code ${unique}} replaced by {@code unique}. */
    public JsonNode inputFor(String unique) {
        return replaceUnique(input.deepCopy(), unique);
    }

    private static JsonNode replaceUnique(JsonNode node, String unique) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (value.isTextual()) {
                    object.put(name, value.asText().replace("${unique}", unique));
                } else {
                    replaceUnique(value, unique);
                }
            }
        } else if (node != null && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode value = node.get(i);
                if (value.isTextual()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, value.asText().replace("${unique}", unique));
                } else {
                    replaceUnique(value, unique);
                }
            }
        }
        return node;
    }

    private static List<String> givenSql(String file, JsonNode node) {
        List<String> statements = new ArrayList<>();
        if (node == null || node.isNull()) {
            return statements;
        }
        if (!node.isObject() || node.size() != 1 || !node.has("sql") || !node.get("sql").isArray()) {
            throw new InvalidScenarioException(file, "given must be { sql: [ \"insert ...\", ... ] }: the local data the saga meets");
        }
        for (JsonNode statement : node.get("sql")) {
            if (!statement.isTextual() || statement.asText().isBlank()) {
                throw new InvalidScenarioException(file, "given.sql: each entry is one SQL statement, got " + statement);
            }
            statements.add(statement.asText());
        }
        return statements;
    }

    /** The given statements for one run: every {@code ${unique}} replaced by {@code unique}. */
    public List<String> givenSqlFor(String unique) {
        return givenSql.stream().map(sql -> sql.replace("${unique}", unique)).toList();
    }

    private static Map<String, List<Route>> thirdParties(String file, JsonNode node, SagaDefinition definition) {
        Map<String, List<Route>> parties = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return parties;
        }
        if (!node.isObject()) {
            throw new InvalidScenarioException(file, "thirdParties must map each third party to its routes");
        }
        Set<String> known = thirdPartiesOf(definition);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> party = it.next();
            if (!known.contains(party.getKey())) {
                throw new InvalidScenarioException(file, "unknown third party '" + party.getKey() + "': saga " + definition.name()
                        + " calls " + (known.isEmpty() ? "none" : String.join(", ", known)));
            }
            if (!party.getValue().isObject()) {
                throw new InvalidScenarioException(file, "third party " + party.getKey() + " must map \"METHOD /path\" to its answers");
            }
            List<Route> routes = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> r = party.getValue().fields(); r.hasNext(); ) {
                Map.Entry<String, JsonNode> route = r.next();
                Matcher m = ROUTE.matcher(route.getKey());
                if (!m.matches()) {
                    throw new InvalidScenarioException(file, party.getKey() + ": route '" + route.getKey()
                            + "' must be \"METHOD /path\", e.g. \"POST /charges\" or \"DELETE /charges/{id}\"");
                }
                String where = party.getKey() + " \"" + route.getKey() + "\"";
                JsonNode script = route.getValue();
                List<Answer> answers = new ArrayList<>();
                if (script.isArray()) {
                    if (script.isEmpty()) {
                        throw new InvalidScenarioException(file, where + ": an empty list of answers; give at least one");
                    }
                    for (int i = 0; i < script.size(); i++) {
                        answers.add(answer(file, where + " answer " + (i + 1), script.get(i)));
                    }
                } else {
                    answers.add(answer(file, where, script));
                }
                routes.add(new Route(m.group(1), m.group(2), answers));
            }
            parties.put(party.getKey(), routes);
        }
        return parties;
    }

    private static Answer answer(String file, String where, JsonNode node) {
        String neither = ": neither an answer ({ status: 201, body: {...} }) nor { lose: answer }, got " + node;
        if (!node.isObject()) {
            throw new InvalidScenarioException(file, where + neither);
        }
        if (node.has("lose")) {
            if (node.size() != 1 || !"answer".equals(node.get("lose").asText())) {
                throw new InvalidScenarioException(file, where + neither);
            }
            return new LoseAnswer();
        }
        JsonNode status = node.get("status");
        Set<String> fields = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(fields::add);
        fields.removeAll(Set.of("status", "body"));
        if (status == null || !status.canConvertToInt() || !status.isIntegralNumber() || !fields.isEmpty()) {
            throw new InvalidScenarioException(file, where + neither);
        }
        if (status.asInt() < 100 || status.asInt() > 599) {
            throw new InvalidScenarioException(file, where + ": status " + status.asInt() + " is no HTTP status");
        }
        return new Respond(status.asInt(), node.get("body"));
    }

    private static Kill kill(String file, JsonNode node, SagaDefinition definition) {
        if (node == null || node.isNull()) {
            return null;
        }
        String step = text(file, node, "step", "the step whose run is killed (killAfter.step)");
        String pointName = text(file, node, "point", "intent, local-commit or waiting (killAfter.point)");
        int index = indexOf(definition, step);
        if (index < 0) {
            throw new InvalidScenarioException(file, "unknown step '" + step + "' in killAfter: saga " + definition.name()
                    + " has " + stepNames(definition));
        }
        Point point = Arrays.stream(Point.values()).filter(p -> p.name.equals(pointName)).findFirst()
                .orElseThrow(() -> new InvalidScenarioException(file, "unknown point '" + pointName
                        + "' in killAfter: intent (after a remote attempt's intent committed), local-commit (after a local step"
                        + " committed) or waiting (while the saga waits at an await)"));
        StepKind kind = definition.step(index).kind();
        if ((point == Point.WAITING) != (kind == StepKind.AWAIT)) {
            throw new InvalidScenarioException(file, "killAfter: " + (point == Point.WAITING ? "step " + step
                    + " is no await, a saga does not wait there" : "step " + step + " is an await: use point waiting"));
        }
        if (point == Point.INTENT && !kind.callsThirdParty()) {
            throw new InvalidScenarioException(file, "killAfter: step " + step + " is local, it has no intent; use point local-commit");
        }
        if (point == Point.LOCAL_COMMIT && kind.callsThirdParty()) {
            throw new InvalidScenarioException(file, "killAfter: step " + step + " calls a third party, it has no local commit; use point intent");
        }
        return new Kill(step, point);
    }

    private static Expect expect(String file, JsonNode node, SagaDefinition definition) {
        if (node == null || !node.isObject()) {
            throw new InvalidScenarioException(file, "expect is missing: at least expect.status");
        }
        String statusName = text(file, node, "status", "the status the saga ends with (expect.status)");
        SagaStatus status = Arrays.stream(SagaStatus.values()).filter(s -> s.name().equals(statusName) && s.isTerminal()).findFirst()
                .orElseThrow(() -> new InvalidScenarioException(file, "expect.status '" + statusName + "' is not a status a saga ends with: "
                        + Arrays.stream(SagaStatus.values()).filter(SagaStatus::isTerminal).map(Enum::name).collect(Collectors.joining(", "))));
        List<List<String>> calls = null;
        if (node.has("calls")) {
            if (!node.get("calls").isArray()) {
                throw new InvalidScenarioException(file, "expect.calls must be a list of \"METHOD third-party /path\"");
            }
            calls = new ArrayList<>();
            for (JsonNode entry : node.get("calls")) {
                if (entry.isArray() && entry.isEmpty()) {
                    throw new InvalidScenarioException(file, "expect.calls: an empty run of calls in any order; give its calls");
                }
                List<String> run = new ArrayList<>();
                for (JsonNode call : entry.isArray() ? entry : List.of(entry)) {
                    if (!call.isTextual() || call.asText().trim().split("\\s+").length != 3) {
                        throw new InvalidScenarioException(file, "expect.calls: '" + (call.isTextual() ? call.asText() : call)
                                + "' is not \"METHOD third-party /path\" (a list inside calls holds calls made in any order)");
                    }
                    run.add(call.asText().trim().replaceAll("\\s+", " "));
                }
                calls.add(run);
            }
        }
        String because = node.has("escalatedBecause") ? node.get("escalatedBecause").asText() : null;
        if (because != null && status != SagaStatus.ESCALATED) {
            throw new InvalidScenarioException(file, "expect.escalatedBecause needs expect.status ESCALATED");
        }
        Map<String, String> steps = new LinkedHashMap<>();
        if (node.has("steps")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.get("steps").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> step = it.next();
                if (indexOf(definition, step.getKey()) < 0) {
                    throw new InvalidScenarioException(file, "unknown step '" + step.getKey() + "' in expect.steps: saga "
                            + definition.name() + " has " + stepNames(definition));
                }
                String effect = step.getValue().asText();
                if (!"NONE".equals(effect) && Arrays.stream(Effect.values()).noneMatch(e -> e.name().equals(effect))) {
                    throw new InvalidScenarioException(file, "expect.steps." + step.getKey() + ": '" + effect + "' is no effect: "
                            + Arrays.stream(Effect.values()).map(Enum::name).collect(Collectors.joining(", ")) + " or NONE");
                }
                steps.put(step.getKey(), effect);
            }
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Set.of("status", "calls", "escalatedBecause", "steps").contains(name)) {
                throw new InvalidScenarioException(file, "unknown field 'expect." + name + "'; expect has status, calls, escalatedBecause, steps");
            }
        }
        return new Expect(status, calls, because, steps);
    }

    private static String text(String file, JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            throw new InvalidScenarioException(file, field + " is missing: " + what);
        }
        return value.asText();
    }

    private static int indexOf(SagaDefinition definition, String step) {
        for (int i = 0; i < definition.stepCount(); i++) {
            if (definition.step(i).name().equals(step)) {
                return i;
            }
        }
        return -1;
    }

    private static String stepNames(SagaDefinition definition) {
        return definition.steps().stream().map(StepDefinition::name).collect(Collectors.joining(", "));
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
