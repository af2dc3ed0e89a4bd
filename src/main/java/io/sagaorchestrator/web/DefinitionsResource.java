package io.sagaorchestrator.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.sagaorchestrator.check.DefinitionReport;
import io.sagaorchestrator.check.Diagram;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.Group;
import io.sagaorchestrator.definitions.HttpStart;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The saga definitions this instance runs, with the version and content hash sagas record. */
@Path("/api/definitions")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"saga-viewer", "saga-operator"})
public class DefinitionsResource {

    /**
     * @param start how to start it over the generic endpoint, or null: started by code, or by an endpoint of its own
     */
    public record Definition(String name, int version, String hash, String description, List<Step> steps, Start start,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long deadlineMillis,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Key key,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ParallelGroup> groups) {
    }

    /**
     * A parallel group: its branches (steps of {@code steps}, by name) start together, at most {@code maxConcurrency} in
     * flight; {@code compensation}: how they are undone, {@code reverse} (one at a time, the last first) or {@code parallel}
     * (side by side, at most {@code maxConcurrency} at once); {@code when}: its condition, null when it always runs. A
     * forEach also gives the list its branches run over, one item each ({@code items}, as written, e.g.
     * {@code ${input.seats}}) and how long it may be ({@code maxItems}, as many as it has branches); both absent for a
     * {@code parallel} group.
     */
    public record ParallelGroup(String name, List<String> branches, int maxConcurrency, String compensation,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String when,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String items,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxItems) {
    }

    /** One live saga per value of {@code key} (its template); {@code onLiveKey}: what a second start does meanwhile. */
    public record Key(String key, String onLiveKey) {
    }

    /** What a console or client needs to build a start form: where to post, who may, and each field of the body. */
    public record Start(String path, List<String> roles, String businessKey, Map<String, Field> input) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Field(String type, boolean required, String pattern, Integer maxLength, BigDecimal minimum, BigDecimal maximum,
                        @JsonProperty("enum") List<String> values, String text, Integer maxItems) {
    }

    public record Step(String name, String type, String action, String compensation, String onFailure, long timeoutMillis,
                       Policy retry, Policy compensationRetry, @JsonInclude(JsonInclude.Include.NON_NULL) Long deadlineMillis) {
    }

    public record Policy(int attempts, int inProcessAttempts, long inProcessDelayMillis, long initialDelayMillis,
                         double multiplier, long maxDelayMillis, double jitter, List<String> retryOn, List<String> abortOn) {
    }

    private final DefinitionRegistry definitions;

    DefinitionsResource(DefinitionRegistry definitions) {
        this.definitions = definitions;
    }

    @GET
    public List<Definition> list() {
        return definitions.all().stream().map(DefinitionsResource::view).toList();
    }

    /**
     * What {@code check} prints for the definition as loaded: every failure point, what the engine does there, and its
     * lints, whose lines are those of the definition's text (its file is named by name and version).
     */
    @GET
    @Path("/{name}/failure-points")
    public Response failurePoints(@PathParam("name") String name) {
        SagaDefinition definition = definitions.current(name).orElse(null);
        if (definition == null) {
            return Problem.of(Response.Status.NOT_FOUND, "definition-not-found", "No such saga definition",
                    definitions.whyNotLoaded(name)).toResponse();
        }
        return Response.ok(DefinitionReport.of(definition.name() + " v" + definition.version(), definition)).build();
    }

    /** The definition as a Mermaid flowchart: forward and compensation edges, and its conditions. */
    @GET
    @Path("/{name}/diagram")
    @Produces(MediaType.TEXT_PLAIN)
    public Response diagram(@PathParam("name") String name) {
        return definitions.current(name).map(d -> Response.ok(Diagram.mermaid(d), MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "definition-not-found", "No such saga definition",
                        definitions.whyNotLoaded(name)).toResponse());
    }

    private static Definition view(SagaDefinition d) {
        return new Definition(d.name(), d.version(), d.hash(), d.description(), d.steps().stream().map(DefinitionsResource::view).toList(),
                d.httpStart() == null ? null : view(d.name(), d.httpStart()), millis(d.deadline()),
                d.liveKey() == null ? null : new Key(d.liveKey().template().text(),
                        d.liveKey().whileLive().name().toLowerCase(Locale.ROOT)),
                d.groups().stream().map(g -> view(d, g)).toList());
    }

    static ParallelGroup view(SagaDefinition d, Group g) {
        return new ParallelGroup(g.name(), d.steps().subList(g.first(), g.last() + 1).stream().map(StepDefinition::name).toList(),
                g.maxConcurrency(), g.compensation().name().toLowerCase(Locale.ROOT),
                d.step(g.first()).when() == null ? null : d.step(g.first()).when().text(),
                g.forEach() == null ? null : g.forEach().items().text(), g.forEach() == null ? null : g.forEach().maxItems());
    }

    private static Start view(String name, HttpStart start) {
        Map<String, Field> input = new LinkedHashMap<>();
        start.input().fields().forEach((field, f) -> input.put(field, new Field(f.type().yamlName(), f.required(),
                f.pattern() == null ? null : f.pattern().pattern(), f.maxLength(), f.minimum(), f.maximum(),
                f.allowed().isEmpty() ? null : f.allowed(), f.text() == null ? null : f.text().name().toLowerCase(Locale.ROOT),
                f.maxItems())));
        return new Start("/api/sagas/" + name, start.roles(), start.businessKey(), input);
    }

    private static Step view(StepDefinition s) {
        return new Step(s.name(), s.kind().name().toLowerCase(Locale.ROOT), s.action(), s.compensation(),
                s.onFailure().name().toLowerCase(Locale.ROOT), s.timeout().toMillis(),
                view(s.retry()), s.hasCompensation() ? view(s.compensationRetry()) : null, millis(s.deadline()));
    }

    private static Long millis(java.time.Duration deadline) {
        return deadline == null ? null : deadline.toMillis();
    }

    private static Policy view(RetryPolicy p) {
        return new Policy(p.attempts(), p.inProcessAttempts(), p.inProcessDelay().toMillis(), p.initialDelay().toMillis(),
                p.multiplier(), p.maxDelay().toMillis(), p.jitter(),
                p.retryOn().stream().map(Class::getSimpleName).toList(), p.abortOn().stream().map(Class::getSimpleName).toList());
    }
}
