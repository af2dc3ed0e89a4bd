package io.sagaorchestrator.runtime;

import io.sagaorchestrator.definitions.CallOutcome;
import io.sagaorchestrator.definitions.CompensationCheck;
import io.sagaorchestrator.definitions.HttpCall;
import io.sagaorchestrator.definitions.Reference;
import io.sagaorchestrator.definitions.Template;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.sagaorchestrator.steps.HttpFailures;
import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Carries out one declared call: builds the request from the saga's values, sends it, and reads what the answer
 * means. Secret values go into the request only: the saga log gets {@code [secret]} in their place, and any text of
 * an answer that is kept (a rejection's body) has them blanked out too, should the other side echo them.
 */
final class HttpStepAction implements RemoteAction {

    static final String REDACTED = "[secret]";

    private static final TextMapSetter<HttpRequest.Builder> TRACE_HEADERS = HttpRequest.Builder::setHeader;

    private final HttpCall call;
    private final boolean compensation;
    private final String baseUrl;
    private final Map<String, String> secrets;
    private final Duration timeout;
    private final HttpClient client;
    private final ObjectMapper json;
    /** When this action is a compensation's check: what its answer must show; else null. */
    private final CompensationCheck check;

    /**
     * @param baseUrl the target's base URL, or null when it is not configured
     * @param secrets the configured secrets the call sends, by configuration key (an unset one is absent)
     */
    HttpStepAction(HttpCall call, boolean compensation, String baseUrl, Map<String, String> secrets, Duration timeout,
                   HttpClient client, ObjectMapper json) {
        this(call, compensation, baseUrl, secrets, timeout, client, json, null);
    }

    /** @param check what the answer must show when this action is a compensation's check, else null */
    HttpStepAction(HttpCall call, boolean compensation, String baseUrl, Map<String, String> secrets, Duration timeout,
                   HttpClient client, ObjectMapper json, CompensationCheck check) {
        this.call = call;
        this.compensation = compensation;
        this.baseUrl = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
        this.secrets = Map.copyOf(secrets);
        this.timeout = timeout;
        this.client = client;
        this.json = json;
        this.check = check;
    }

    @Override
    public String thirdParty() {
        return call.target();
    }

    @Override
    public JsonNode execute(StepContext context) {
        Request request = request(context);
        // errors name the path this attempt used, not the template: an operator looks that one up at the third party
        String sent = call.label(request.path());
        if (baseUrl == null) {
            throw notConfigured(call.urlKey());
        }
        HttpRequest.Builder http;
        try {
            http = HttpRequest.newBuilder(URI.create(baseUrl + request.path())).timeout(timeout);
        } catch (IllegalArgumentException e) {
            throw new UnavailableFailure(sent + " was not sent: " + baseUrl + request.path() + " is not a valid URL ("
                    + call.urlKey() + ")", e);
        }
        request.headers().forEach(http::header);
        // the JDK client is not instrumented: the attempt's span (current here) goes out as the traceparent by hand
        W3CTraceContextPropagator.getInstance().inject(Context.current(), http, TRACE_HEADERS);
        http.method(call.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(request.body().toString(), StandardCharsets.UTF_8));
        HttpResponse<String> answer;
        try {
            answer = client.send(http.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HttpFailures.forLostAnswer(sent, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownOutcomeFailure(sent + " was interrupted before its answer; it may or may not have been"
                    + " carried out", e);
        }
        return check != null ? checked(sent, answer.statusCode(), answer.body()) : outcome(sent, answer.statusCode(), answer.body());
    }

    /**
     * What a check's answer says: the expectation met, the undo is confirmed; not met, the undone thing is still there
     * (an {@link UnavailableFailure}: retried on the check's budget, then escalated as drift). An answer that says nothing
     * of the resource (5xx, 429) is classified as for any call.
     */
    private JsonNode checked(String sent, int status, String text) {
        JsonNode body = parse(text);
        String unmet = check.unmet(status, body);
        String excerpt = redact(HttpFailures.excerpt(text));
        if (unmet == null) {
            return json.createObjectNode().put(HttpCall.STATUS_FIELD, status).put("verified", true)
                    .put("expected", check.expectation());
        }
        if (status >= 500 || status == 429) {
            throw HttpFailures.forStatus(sent, status, excerpt, null);
        }
        String what = check.expectStatus() != null && check.pointer() == null ? "the resource still exists"
                : "the resource is not as before";
        return failCheck(what + " (" + sent + " answered " + status + ": " + excerpt + "; the check expects "
                + check.expectation() + (unmet.startsWith("it answered") ? "" : ", but " + unmet) + ")");
    }

    private static JsonNode failCheck(String message) {
        throw new UnavailableFailure(message, null);
    }

    /** Method, path, headers (secrets as {@code [secret]}) and body: what the saga log keeps of each attempt. */
    @Override
    public JsonNode describeRequest(StepContext context) {
        Request request = request(context);
        ObjectNode description = json.createObjectNode().put("method", call.method()).put("target", call.target())
                .put("path", request.path());
        ObjectNode headers = description.putObject("headers");
        request.headers().forEach((name, value) -> headers.put(name, request.secretHeaders().contains(name) ? REDACTED : value));
        if (request.body() != null) {
            description.set("body", request.body());
        }
        return description;
    }

    /** The request, with every reference resolved. */
    private record Request(String path, Map<String, String> headers, Set<String> secretHeaders, JsonNode body) {
    }

    private Request request(StepContext context) {
        StringBuilder path = new StringBuilder();
        for (Object part : call.path().parts()) {
            path.append(part instanceof Reference r
                    ? URLEncoder.encode(text(value(r, context)), StandardCharsets.UTF_8).replace("+", "%20") : (String) part);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (call.body() != null) {
            headers.put("Content-Type", "application/json");
        }
        if (call.idempotencyKey()) {
            headers.put("Idempotency-Key", context.idempotencyKey());
        }
        Set<String> secretHeaders = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        call.headers().forEach((name, template) -> {
            String value = text(template, context);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw cannotBuild("header " + name + " would contain a line break", context);
            }
            headers.keySet().removeIf(name::equalsIgnoreCase);
            headers.put(name, value);
            if (template.references().stream().anyMatch(r -> r.root() == Reference.Root.SECRET)) {
                secretHeaders.add(name);
            }
        });
        return new Request(path.toString(), headers, secretHeaders, call.body() == null ? null : body(call.body(), context));
    }

    private JsonNode body(JsonNode node, StepContext context) {
        if (node.isTextual()) {
            Template template = Template.parse(node.textValue());
            Reference whole = template.whole();
            return whole != null ? value(whole, context).deepCopy() : TextNode.valueOf(text(template, context));
        }
        if (node.isObject()) {
            ObjectNode copy = json.createObjectNode();
            node.fields().forEachRemaining(field -> copy.set(field.getKey(), body(field.getValue(), context)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = json.createArrayNode();
            node.forEach(item -> copy.add(body(item, context)));
            return copy;
        }
        return node;
    }

    private String text(Template template, StepContext context) {
        StringBuilder text = new StringBuilder();
        template.parts().forEach(part -> text.append(part instanceof Reference r ? text(value(r, context)) : (String) part));
        return text.toString();
    }

    private static String text(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** @throws StepFailure when the value is not there: the call cannot be built, and is never guessed */
    private JsonNode value(Reference r, StepContext context) {
        JsonNode value = switch (r.root()) {
            case INPUT -> at(context.input(), r);
            case STEPS -> at(context.outputs().get(r.step()), r);
            case FORWARD -> {
                if (context.forwardOutput() == null) {
                    throw new ManualRepairRequired("The compensation of step '" + context.stepName() + "' needs " + r.text()
                            + ", but the answer to the step it undoes was never learned, so what to undo is not known. Check in "
                            + call.target() + " whether step '" + context.stepName() + "' of saga " + context.sagaId()
                            + " took effect, and undo it there by hand if it did.");
                }
                yield at(context.forwardOutput(), r);
            }
            case ITEM -> {
                if (context.item() == null) {
                    throw cannotBuild(r.text() + " is read by a step that runs no item", context);
                }
                yield at(context.item().value(), r);
            }
            case INDEX -> context.item() == null ? null : IntNode.valueOf(context.item().index());
            case SAGA_ID -> TextNode.valueOf(context.sagaId().toString());
            case IDEMPOTENCY_KEY -> TextNode.valueOf(context.idempotencyKey());
            case SECRET -> {
                String secret = secrets.get(r.secretKey());
                if (secret == null) {
                    throw notConfigured(r.secretKey());
                }
                yield TextNode.valueOf(secret);
            }
        };
        if (value == null || value.isMissingNode() || value.isNull()) {
            throw cannotBuild(r.text() + " has no value", context);
        }
        return value;
    }

    /** The saga's values cannot make this request: asking again will not change that, and a person must decide. */
    private StepFailure cannotBuild(String why, StepContext context) {
        String message = call.label() + " cannot be built: " + why + " in saga " + context.sagaId();
        return compensation ? new ManualRepairRequired(message + "; a person must undo step '" + context.stepName() + "' by hand")
                : new RejectedFailure(message);
    }

    private static JsonNode at(JsonNode root, Reference r) {
        if (root == null) {
            return null;
        }
        JsonNode node = root;
        for (String field : r.path()) {
            node = node.path(field);
        }
        return node;
    }

    private UnavailableFailure notConfigured(String key) {
        return new UnavailableFailure(call.label() + " was not sent: " + key + " is not configured (set "
                + ThirdPartyUrls.envName(key) + ")", null);
    }

    /**
     * What the answer means: a listed body field value first, then a listed status, then the status class; a
     * compensating DELETE that finds nothing to delete has what it wants, unless the call lists that status.
     */
    private JsonNode outcome(String sent, int status, String text) {
        JsonNode body = parse(text);
        CallOutcome outcome = null;
        String why = "HTTP " + status;
        if (call.outcomeField() != null && body != null) {
            JsonNode field = body.at(call.outcomeField().pointer());
            if (field.isValueNode()) {
                outcome = call.outcomeField().values().get(field.asText());
                if (outcome != null) {
                    why += ", " + call.outcomeField().pointer() + " = " + field.asText();
                }
            }
        }
        if (outcome == null) {
            outcome = call.outcomeFor(status);
        }
        if (outcome == null && alreadyGone(status)) {
            outcome = CallOutcome.SUCCEEDED;
        }
        if (outcome == null && status >= 200 && status < 300) {
            outcome = CallOutcome.SUCCEEDED;
        }
        String excerpt = redact(HttpFailures.excerpt(text));
        if (outcome == null) {
            throw HttpFailures.forStatus(sent, status, excerpt, null);
        }
        return switch (outcome) {
            case SUCCEEDED -> output(status, body);
            case REJECTED -> throw new RejectedFailure(sent + " was rejected (" + why + "): " + excerpt);
            case UNKNOWN -> throw new UnknownOutcomeFailure(sent + " answered " + why
                    + ", which leaves it unknown whether it was carried out: " + excerpt, null);
            case UNAVAILABLE -> throw new UnavailableFailure(sent + " was turned away (" + why + "): " + excerpt, null);
        };
    }

    /**
     * DELETE is idempotent (RFC 9110, 9.2.2): a 404 or 410 to an undo means the thing is gone, because an earlier attempt
     * whose answer was lost deleted it, or because the forward call never made it (its refusal was lost on the way).
     */
    private boolean alreadyGone(int status) {
        return compensation && "DELETE".equals(call.method()) && (status == 404 || status == 410);
    }

    private JsonNode output(int status, JsonNode body) {
        ObjectNode output = json.createObjectNode().put(HttpCall.STATUS_FIELD, status);
        if (body != null) {
            for (Map.Entry<String, JsonPointer> field : call.output().entrySet()) {
                JsonNode value = body.at(field.getValue());
                if (!value.isMissingNode()) {
                    output.set(field.getKey(), value);
                }
            }
        }
        return output;
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (IOException notJson) {
            return null;
        }
    }

    private String redact(String text) {
        String redacted = text;
        for (String secret : secrets.values()) {
            if (!secret.isEmpty()) {
                redacted = redacted.replace(secret, REDACTED);
            }
        }
        return redacted;
    }
}
