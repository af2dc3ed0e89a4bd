package io.sagaorchestrator.web.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import io.sagaorchestrator.store.InvalidCursorException;
import io.sagaorchestrator.web.NotAnIdException;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.store.SearchUnavailableException;
import io.sagaorchestrator.store.SagaQueries;
import io.sagaorchestrator.store.SagaViews;
import io.sagaorchestrator.telemetry.TraceLinks;
import io.sagaorchestrator.check.DefinitionReport;
import io.sagaorchestrator.check.Diagram;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.InvalidDefinitionException;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.operator.Actor;
import io.sagaorchestrator.store.AuditTrail;
import io.sagaorchestrator.core.CompensationPlan;
import io.sagaorchestrator.operator.CompensationPlans;
import io.sagaorchestrator.operator.ManualOperations;
import io.sagaorchestrator.operator.Operation;
import io.sagaorchestrator.operator.OperationRefusedException;
import io.sagaorchestrator.operator.OperationRequest;
import io.sagaorchestrator.core.SagaStatus;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The operator console: pages rendered on the server over the same services as the API
 * ({@link SagaQueries}, {@link ManualOperations}, {@link AuditTrail}, {@link DefinitionRegistry}). Signed in with
 * a form (the same users and roles as the API) or, when configured, at the identity provider (authorization code flow);
 * viewers read, operators also repair. See docs/operating.md, Console.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ConsoleResource.VIEWER, ConsoleResource.OPERATOR})
public class ConsoleResource {

    static final String VIEWER = "saga-viewer";
    static final String OPERATOR = "saga-operator";
    static final int PAGE_SIZE = 25;
    static final int ESCALATED_ON_OVERVIEW = 10;

    private final SagaQueries queries;
    private final ManualOperations operations;
    private final DefinitionRegistry definitions;
    private final SecurityIdentity identity;
    private final RoutingContext request;
    private final ConsoleCsrf csrf;
    private final Validator validator;
    private final TraceLinks traceLinks;
    private final CompensationPlans plans;
    private final ObjectMapper json;
    private final boolean identityProvider;
    private final String securityPolicy;
    private final String diagramPolicy;

    ConsoleResource(SagaQueries queries, ManualOperations operations, DefinitionRegistry definitions, SecurityIdentity identity,
                    RoutingContext request, ConsoleCsrf csrf, Validator validator, TraceLinks traceLinks, CompensationPlans plans,
                    ObjectMapper json,
                    @ConfigProperty(name = "quarkus.oidc.console.tenant-enabled", defaultValue = "false") boolean identityProvider,
                    @ConfigProperty(name = "quarkus.oidc.console.auth-server-url") Optional<String> issuer) {
        this.json = json;
        this.identityProvider = identityProvider;
        // signing out at the provider is the sign-out form's redirect to it, which form-action governs too
        String formAction = identityProvider && issuer.isPresent() ? "'self' " + origin(issuer.get()) : "'self'";
        this.securityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action " + formAction;
        // Mermaid styles the SVG it draws with a <style> element and style attributes, which carry no nonce
        this.diagramPolicy = securityPolicy + "; style-src 'self' 'unsafe-inline'";
        this.traceLinks = traceLinks;
        this.plans = plans;
        this.queries = queries;
        this.operations = operations;
        this.definitions = definitions;
        this.identity = identity;
        this.request = request;
        this.csrf = csrf;
        this.validator = validator;
    }

    @GET
    @Path("/login")
    @PermitAll
    public Response login(@QueryParam("error") String error, @QueryParam("signedOut") String signedOut) {
        if (mayUseConsole()) {
            return Response.seeOther(URI.create("/console")).build();
        }
        return html(200, ConsolePages.login(error != null, signedOut != null, identityProvider));
    }

    /**
     * Where the identity provider's sign-in starts and comes back to (quarkus.oidc.console.authentication.redirect-path):
     * only the authorization code flow reaches it, so whoever gets here signed in at the provider.
     */
    @GET
    @Path("/sso")
    public Response signedInAtTheIdentityProvider() {
        return Response.seeOther(URI.create("/console")).build();
    }

    @POST
    @Path("/logout")
    @Authenticated
    public Response logout() {
        // no token needed: the worst a forged sign-out does is sign somebody out
        request.response().addCookie(Cookie.cookie(ConsoleCsrf.COOKIE, "").setPath("/console").setMaxAge(0));
        if (identity.getPrincipal() instanceof JsonWebToken) {
            // signed in at the identity provider: its logout path (quarkus.oidc.console.logout.path) ends the session
            // here and at the provider, which then sends the browser back to the sign-in page
            return Response.seeOther(URI.create("/console/sso/logout")).build();
        }
        FormAuthenticationMechanism.logout(request);
        return Response.seeOther(URI.create("/console/login?signedOut=true")).build();
    }

    /** Counts by status and definition, the oldest live saga, the newest escalated ones. Refreshes itself (console.js). */
    @GET
    public Response overview() {
        List<SagaViews.Summary> escalated = queries.list(filterByStatus(SagaStatus.ESCALATED), null, ESCALATED_ON_OVERVIEW).items();
        return html(200, ConsolePages.overview(page("overview"), ConsoleViews.Overview.of(queries.stats(), escalated)));
    }

    @GET
    @Path("/sagas")
    public Response list(@QueryParam("status") List<String> status, @QueryParam("definition") String definition,
                         @QueryParam("businessKey") String businessKey, @QueryParam("createdFrom") String createdFrom,
                         @QueryParam("createdTo") String createdTo, @QueryParam("stuck") String stuck,
                         @QueryParam("error") String error, @QueryParam("retrying") String retrying,
                         @QueryParam("paused") String paused, @QueryParam("cursor") String cursor) {
        ListForm form = ListForm.of(status, definition, businessKey, createdFrom, createdTo, stuck, error, retrying, paused);
        List<String> names = definitions.all().stream().map(SagaDefinition::name).sorted().toList();
        String base = "/console/sagas" + (form.empty() ? "" : "?" + form.query());
        try {
            SagaViews.Page found = queries.list(form.toFilter(), cursor == null || cursor.isBlank() ? null : cursor, PAGE_SIZE);
            String next = found.nextCursor() == null ? null : base + (form.empty() ? "?" : "&") + "cursor=" + found.nextCursor();
            return html(200, ConsolePages.list(page("sagas"), form, ConsoleViews.STATUSES, names, found.items(), null,
                    cursor == null || cursor.isBlank() ? null : base, next));
        } catch (BadRequestException | InvalidCursorException | SearchUnavailableException e) {
            return html(e instanceof SearchUnavailableException ? 503 : 400, ConsolePages.list(page("sagas"), form, ConsoleViews.STATUSES, names, List.of(), e.getMessage(),
                    null, null));
        }
    }

    @GET
    @Path("/definitions")
    public Response definitions() {
        List<SagaDefinition> all = definitions.all().stream().sorted(java.util.Comparator.comparing(SagaDefinition::name)).toList();
        return html(200, ConsolePages.definitions(page("definitions"), all));
    }

    /** A definition's steps and its failure points: what the engine does at each, and the lints, as {@code check} says. */
    @GET
    @Path("/definitions/{name}")
    public Response definition(@PathParam("name") String name) {
        SagaDefinition definition = definitions.current(name).orElse(null);
        if (definition == null) {
            return html(404, ConsolePages.problem(page("definitions"), "No such saga definition", definitions.whyNotLoaded(name)));
        }
        return html(200, ConsolePages.definition(page("definitions"), definition,
                DefinitionReport.of(definition.name() + " v" + definition.version(), definition), Diagram.mermaid(definition)),
                diagramPolicy);
    }

    /** One saga: its steps, the timeline of every attempt, the audit trail, and (for operators) what may be done. */
    @GET
    @Path("/sagas/{id}")
    public Response detail(@PathParam("id") UUID id, @QueryParam("audit") Long audit) {
        SagaViews.Detail saga = queries.require(id);
        ConsoleViews.Outcome outcome = audit == null ? null : saga.operations().stream().filter(e -> e.id() == audit).findFirst()
                .map(e -> new ConsoleViews.Outcome(true, null, e, e.operation(), null)).orElse(null);
        return detailPage(200, saga, outcome);
    }

    /**
     * Compensate, retry, resolve, pause, resume, skip or replan, as the API's {@code POST /api/sagas/{id}/{operation}}
     * does, with a reason and a ticked confirmation. Applied, it redirects to the saga's page, which shows the audit entry;
     * refused, the page says why and keeps the reason. A re-plan's preview ({@code dryRun}) needs no confirmation and
     * shows what would change.
     */
    @POST
    @Path("/sagas/{id}/{operation: " + Operation.ALL_PATHS + "}")
    @RolesAllowed(OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response operate(@PathParam("id") UUID id, @PathParam("operation") String name, @FormParam("reason") String reason,
                            @FormParam("confirm") String confirm, @FormParam("force") String force,
                            @FormParam("step") String step, @FormParam("output") String output,
                            @FormParam("dryRun") String dryRun, @FormParam("csrf") String token) {
        if (!csrf.valid(request, user(), token)) {
            return html(403, ConsolePages.problem(page("sagas"), "Form refused", "This form did not come from a page of this"
                    + " console (its security token is missing or out of date), so nothing was changed. Open the saga again"
                    + " and send the form from there."));
        }
        Operation operation = Operation.named(name).orElseThrow();
        boolean preview = operation == Operation.REPLAN && "true".equals(dryRun);
        JsonNode outputJson = operation == Operation.SKIP ? jsonObject(output) : null;
        String refusal = operation == Operation.SKIP && outputJson == null
                ? "The output must be a JSON object, the step's output as later steps read it, e.g. {\"id\": \"42\"}." : null;
        OperationRequest operationRequest = new OperationRequest(reason, "true".equals(force) ? Boolean.TRUE : null, step,
                outputJson, preview ? Boolean.TRUE : null);
        int status = 400;
        Set<ConstraintViolation<OperationRequest>> violations = validator.validate(operationRequest);
        if (!violations.isEmpty()) {
            refusal = violations.stream().map(v -> "The " + v.getPropertyPath() + " " + v.getMessage()).sorted()
                    .reduce((a, b) -> a + "; " + b).orElseThrow();
        } else if (refusal == null && !preview && !"true".equals(confirm)) {
            refusal = "Tick the box to confirm that you mean to " + operation.path() + " this saga.";
        } else if (refusal == null) {
            try {
                ManualOperations.Result done = operations.apply(id, operation, Actor.of(identity), operationRequest);
                if (preview) {
                    return detailPage(200, queries.require(id), new ConsoleViews.Outcome(false, null, null, operation.path(),
                            reason, ConsoleViews.Preview.of(done.plan(), done.statusAfter())));
                }
                return Response.seeOther(URI.create("/console/sagas/" + id + "?audit=" + done.auditId() + "#outcome")).build();
            } catch (OperationRefusedException e) {
                refusal = e.getMessage();
                status = 409;
            }
        }
        SagaViews.Detail saga = queries.require(id);
        return detailPage(status, saga, new ConsoleViews.Outcome(false, refusal, null, operation.path(), reason));
    }

    /** The JSON object a form's text holds, or null when it holds something else. */
    private JsonNode jsonObject(String text) {
        try {
            JsonNode node = text == null ? null : json.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @ServerExceptionMapper
    Response forbidden(ForbiddenException e) {
        String message = mayUseConsole()
                ? "Only an operator (role " + OPERATOR + ") may change sagas; your account may look at them."
                : "Your account may not use the console: it needs the role " + VIEWER + " or " + OPERATOR + "."
                + " Sign out, then sign in with another account.";
        return html(403, ConsolePages.problem(page("none"), "Not allowed", message));
    }

    @ServerExceptionMapper
    Response notFound(SagaNotFoundException e) {
        return html(404, ConsolePages.problem(page("sagas"), "No such saga", e.getMessage()));
    }

    /** A browser shows a page, not the API's problem+json, for a saga address that was mistyped or cut short. */
    @ServerExceptionMapper
    Response notAnId(NotAnIdException e) {
        return html(404, ConsolePages.problem(page("sagas"), "No such saga", e.getMessage()));
    }

    private Response detailPage(int status, SagaViews.Detail saga, ConsoleViews.Outcome outcome) {
        return html(status, ConsolePages.detail(page("sagas"), saga, ConsoleViews.StepSummary.of(saga),
                ConsoleViews.TimelineEntry.of(saga), actions(saga, outcome), outcome,
                saga.input() == null ? null : saga.input().toPrettyString(),
                saga.result() == null ? null : saga.result().toPrettyString(), traceLinks.to(saga.traceId()),
                compensationPlan(saga), diagram(saga)), diagramPolicy);
    }

    /** The saga's definition, as it started on, with the saga's state over it; null when that definition cannot be read. */
    private String diagram(SagaViews.Detail saga) {
        try {
            SagaDefinition definition = definitions.forSaga(saga.definition(), saga.definitionVersion(), saga.definitionHash());
            return Diagram.mermaid(definition, ConsoleViews.overlay(saga));
        } catch (IllegalStateException | InvalidDefinitionException e) {
            return null; // not in the log, or no longer read by this version: the page still shows the steps and the timeline
        }
    }

    /**
     * What the compensate form would do, shown above its button; for a COMPLETED saga as forced, since its form asks
     * for force. Null where the form is not offered, or the saga has no plan (its definition cannot be read).
     */
    private CompensationPlan compensationPlan(SagaViews.Detail saga) {
        SagaStatus status = SagaStatus.valueOf(saga.status());
        if (!identity.hasRole(OPERATOR) || !Operation.COMPENSATE.allowedFrom(status)) {
            return null;
        }
        try {
            return plans.plan(saga.sagaId(), status == SagaStatus.COMPLETED);
        } catch (OperationRefusedException | SagaNotFoundException e) {
            return null; // moved on or gone since the page was read: the form's own answer will say so
        }
    }

    /**
     * What the saga's state allows ({@link Operation#allowedIn}), offered to operators only; a refused operation's
     * form keeps the reason that was typed.
     */
    private List<ConsoleViews.Action> actions(SagaViews.Detail saga, ConsoleViews.Outcome outcome) {
        if (!identity.hasRole(OPERATOR)) {
            return List.of();
        }
        SagaStatus status = SagaStatus.valueOf(saga.status());
        return Operation.allowedIn(status).stream().filter(op -> fitsThePause(op, saga)).map(op -> {
            String draft = outcome != null && !outcome.applied() && op.equals(outcome.operation()) ? outcome.reason() : null;
            Operation operation = Operation.named(op).orElseThrow();
            return new ConsoleViews.Action(op, operation.title(status), operation.help(status),
                    operation == Operation.COMPENSATE && status == SagaStatus.COMPLETED, draft);
        }).sorted(Comparator.comparing(ConsoleViews.Action::operation)).toList();
    }

    /** Pause is offered for a saga that is not paused, resume for one that is. */
    private static boolean fitsThePause(String operation, SagaViews.Detail saga) {
        return switch (Operation.named(operation).orElseThrow()) {
            case PAUSE -> !saga.paused();
            case RESUME -> saga.paused();
            default -> true;
        };
    }

    private ConsoleViews.Page page(String section) {
        return new ConsoleViews.Page(user(), identity.hasRole(OPERATOR), csrf.token(request, user()), section);
    }

    private boolean mayUseConsole() {
        return !identity.isAnonymous() && (identity.hasRole(VIEWER) || identity.hasRole(OPERATOR));
    }

    private String user() {
        return identity.getPrincipal().getName();
    }

    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static SagaQueries.Filter filterByStatus(SagaStatus status) {
        return new SagaQueries.Filter(Set.of(status), null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Pages are about one moment of the log and carry a form token: never cached, never framed by another site. */
    private Response html(int status, TemplateInstance page) {
        return html(status, page, securityPolicy);
    }

    private Response html(int status, TemplateInstance page, String policy) {
        return Response.status(status).type("text/html;charset=UTF-8").entity(page.render())
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", policy)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .build();
    }
}
