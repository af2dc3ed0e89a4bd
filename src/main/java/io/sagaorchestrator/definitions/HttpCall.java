package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A call a step (or its compensation) declares instead of naming an action bean: checked when its definition is
 * read, and carried out by the runtime's {@code HttpStepAction}.
 *
 * @param target        the third party: its base URL is {@code saga.http.<target>.url}, and calls to it share a
 *                      circuit breaker and a bulkhead
 * @param headers       header templates, in the order written
 * @param body          the JSON body, whose string values are templates; null sends none
 * @param output        the step's output fields, each a JSON pointer into the answer's body
 * @param outcomes      what an answer with one of these statuses ({@code "409"}) or status classes ({@code "5xx"}) means,
 *                      instead of what the default rules say
 * @param outcomeField  a body field whose value says what the answer means; null when none
 * @param idempotencyKey whether {@code Idempotency-Key: <sagaId>:<step>} is sent
 */
public record HttpCall(String method, String target, Template path, Map<String, Template> headers, JsonNode body,
                       Map<String, JsonPointer> output, Map<String, CallOutcome> outcomes, OutcomeField outcomeField,
                       boolean idempotencyKey) {

    public static final String URL_PREFIX = "saga.http.";
    public static final String SECRET_PREFIX = "saga.secret.";
    /** The output field every declared call adds: the answer's HTTP status. */
    public static final String STATUS_FIELD = "httpStatus";
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** Headers the HTTP client sets itself, from the connection and the body. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern TARGET = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern STATUS_OR_CLASS = Pattern.compile("[1-5]([0-9][0-9]|xx)");

    /** @param values what each listed value of the field means; other values leave it to the status */
    public record OutcomeField(JsonPointer pointer, Map<String, CallOutcome> values) {
    }

    /**
     * What the templates of a call may refer to.
     *
     * @param earlierOutputs the steps before this one, each with its declared output fields, or null when it is
     *                       an action bean whose output is not known here
     * @param forwardOutputs in a compensation, the output fields of the step it undoes (null: not known); outside
     *                       a compensation, {@code forward} cannot be used
     */
    /** What a call's templates may read: {@code inForEach}, the item of a {@code forEach}'s step ({@code ${item}, ${index}}). */
    public record Scope(Map<String, Set<String>> earlierOutputs, boolean compensation, Set<String> forwardOutputs,
                        boolean inForEach) {

        public Scope(Map<String, Set<String>> earlierOutputs, boolean compensation, Set<String> forwardOutputs) {
            this(earlierOutputs, compensation, forwardOutputs, false);
        }
    }

    public String urlKey() {
        return urlKey(target);
    }

    public static String urlKey(String target) {
        return URL_PREFIX + target + ".url";
    }

    /** The configuration keys of the secrets its headers send. */
    public Set<String> secretKeys() {
        Set<String> keys = new TreeSet<>();
        headers.values().forEach(h -> h.references().stream().filter(r -> r.root() == Reference.Root.SECRET)
                .forEach(r -> keys.add(r.secretKey())));
        return keys;
    }

    /** How definitions and the console show it where an action name would be: the path as written, with its templates. */
    public String label() {
        return label(path.text());
    }

    /** The call as one attempt sent it, for its errors: a path holds no secret (secrets go in headers only). */
    public String label(String resolvedPath) {
        return method + " " + target + " " + resolvedPath;
    }

    /** The output fields a later step may read: the declared ones and the status. */
    public Set<String> outputFields() {
        Set<String> fields = new TreeSet<>(output.keySet());
        fields.add(STATUS_FIELD);
        return fields;
    }

    /** Every reference the call's path, headers and body make, in that order: what it reads from the saga. */
    public List<Reference> references() {
        List<Reference> references = new ArrayList<>(path.references());
        headers.values().forEach(h -> references.addAll(h.references()));
        if (body != null) {
            bodyReferences(body, references);
        }
        return references;
    }

    private static void bodyReferences(JsonNode node, List<Reference> references) {
        if (node.isTextual()) {
            references.addAll(Template.parse(node.textValue()).references());
        }
        node.forEach(child -> bodyReferences(child, references));
    }

    /** @throws TemplateException naming the offending text when the declaration cannot be carried out */
    public static HttpCall parse(HttpCallDoc doc, Scope scope) {
        String method = require(doc.method(), "http.method").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new TemplateException(doc.method(), "http.method '" + doc.method() + "' is not one of " + new TreeSet<>(METHODS));
        }
        String target = require(doc.target(), "http.target");
        if (!TARGET.matcher(target).matches()) {
            throw new TemplateException(target, "http.target '" + target + "' must be lower-case letters, digits and '-' (at most 63),"
                    + " as it names the setting " + urlKey("<target>"));
        }
        String pathText = require(doc.path(), "http.path");
        if (!pathText.startsWith("/")) {
            throw new TemplateException(pathText, "http.path '" + pathText + "' must start with '/'");
        }
        Template path = checked(Template.parse(pathText), scope, false);
        Map<String, Template> headers = new LinkedHashMap<>();
        Objects.requireNonNullElse(doc.headers(), Map.<String, String>of()).forEach((name, value) -> {
            if (!HEADER_NAME.matcher(name).matches() || RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new TemplateException(name, "http.headers: '" + name + "' is not a header a call may set (the client sets "
                        + String.join(", ", new TreeSet<>(RESTRICTED_HEADERS)) + " itself)");
            }
            headers.put(name, checked(Template.parse(require(value, "http.headers." + name)), scope, true));
        });
        if (doc.body() != null) {
            checkBody(doc.body(), scope);
        }
        return new HttpCall(method, target, path, Collections.unmodifiableMap(headers), doc.body(), output(doc.output()),
                outcomes(doc.outcomes()), outcomeField(doc.outcomeField()), !Boolean.FALSE.equals(doc.idempotencyKey()));
    }

    private static void checkBody(JsonNode node, Scope scope) {
        if (node.isTextual()) {
            checked(Template.parse(node.textValue()), scope, false);
        }
        node.forEach(child -> checkBody(child, scope));
    }

    private static Template checked(Template template, Scope scope, boolean header) {
        for (Reference r : template.references()) {
            switch (r.root()) {
                case STEPS -> {
                    if (!scope.earlierOutputs().containsKey(r.step())) {
                        throw new TemplateException(r.text(), r.text() + " names step '" + r.step() + "', which is not an earlier step"
                                + " (earlier: " + (scope.earlierOutputs().isEmpty() ? "none" : String.join(", ", scope.earlierOutputs().keySet())) + ")");
                    }
                    requireDeclared(r, scope.earlierOutputs().get(r.step()), "step '" + r.step() + "'");
                }
                case FORWARD -> {
                    if (!scope.compensation()) {
                        throw new TemplateException(r.text(), r.text() + " reads the output of the step a compensation undoes:"
                                + " it can only be used in a compensation");
                    }
                    requireDeclared(r, scope.forwardOutputs(), "the step this compensation undoes");
                }
                case ITEM, INDEX -> {
                    if (!scope.inForEach()) {
                        throw new TemplateException(r.text(), r.text() + " is the item of a forEach: it can only be used in"
                                + " the step a forEach runs for each item");
                    }
                }
                case SECRET -> {
                    if (!header) {
                        throw new TemplateException(r.text(), r.text() + " is a secret: secrets can only be sent in headers,"
                                + " where the saga log records them as [secret]");
                    }
                }
                default -> {
                }
            }
        }
        return template;
    }

    private static void requireDeclared(Reference r, Set<String> declared, String whose) {
        if (declared != null && !r.path().isEmpty() && !declared.contains(r.path().get(0))) {
            throw new TemplateException(r.text(), r.text() + " reads output '" + r.path().get(0) + "', which " + whose
                    + " does not declare (declared: " + String.join(", ", declared) + ")");
        }
    }

    private static Map<String, JsonPointer> output(Map<String, String> doc) {
        Map<String, JsonPointer> output = new TreeMap<>();
        Objects.requireNonNullElse(doc, Map.<String, String>of()).forEach((field, pointer) -> {
            if (!FIELD.matcher(field).matches() || field.equals(STATUS_FIELD)) {
                throw new TemplateException(field, "http.output field '" + field + "' must be letters, digits, '_' and '-', and not "
                        + STATUS_FIELD + " (every call's output has it)");
            }
            output.put(field, pointer(pointer, "http.output." + field));
        });
        return Collections.unmodifiableMap(output);
    }

    private static Map<String, CallOutcome> outcomes(Map<String, String> doc) {
        Map<String, CallOutcome> outcomes = new TreeMap<>();
        Objects.requireNonNullElse(doc, Map.<String, String>of()).forEach((status, word) -> {
            String key = status.strip().toLowerCase(Locale.ROOT);
            if (!STATUS_OR_CLASS.matcher(key).matches()) {
                throw new TemplateException(status, "http.outcomes key '" + status
                        + "' is neither an HTTP status (100-599) nor a status class (1xx-5xx)");
            }
            outcomes.put(key, CallOutcome.parse(word, "http.outcomes." + status));
        });
        return Collections.unmodifiableMap(outcomes);
    }

    /** What {@code outcomes} says of an answer with this status: its own entry first, then its class's; null when neither. */
    public CallOutcome outcomeFor(int status) {
        CallOutcome exact = outcomes.get(Integer.toString(status));
        return exact != null ? exact : outcomes.get(status / 100 + "xx");
    }

    private static OutcomeField outcomeField(HttpCallDoc.OutcomeFieldDoc doc) {
        if (doc == null) {
            return null;
        }
        if (doc.values() == null || doc.values().isEmpty()) {
            throw new TemplateException("outcomeField", "http.outcomeField lists no values: say what each value means");
        }
        Map<String, CallOutcome> values = new TreeMap<>();
        doc.values().forEach((value, word) -> values.put(value, CallOutcome.parse(word, "http.outcomeField.values." + value)));
        return new OutcomeField(pointer(require(doc.pointer(), "http.outcomeField.pointer"), "http.outcomeField.pointer"),
                Collections.unmodifiableMap(values));
    }

    private static JsonPointer pointer(String text, String where) {
        try {
            if (text == null || !text.startsWith("/")) {
                throw new IllegalArgumentException("no leading '/'");
            }
            return JsonPointer.compile(text);
        } catch (IllegalArgumentException e) {
            throw new TemplateException(String.valueOf(text), where + " '" + text + "' is not a JSON pointer (write e.g. /id or /data/0/id)");
        }
    }

    private static String require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + what + "' is missing");
        }
        return value;
    }
}
