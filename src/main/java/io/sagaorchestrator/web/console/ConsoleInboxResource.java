package io.sagaorchestrator.web.console;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.definitions.Await;
import io.sagaorchestrator.definitions.InputField;
import io.sagaorchestrator.operator.Actor;
import io.sagaorchestrator.runtime.InvalidSignalException;
import io.sagaorchestrator.runtime.SagaSignals;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.store.SagaQueries;
import io.sagaorchestrator.store.SagaViews;
import io.sagaorchestrator.store.SignalRefusedException;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The console's inbox: the sagas waiting for a person's signal, longest waiting first, each with approve and reject
 * when its await takes a yes or no (a boolean field in its payload) and the signer holds a role it names. A decision is
 * sent as {@code POST /api/sagas/{id}/signals/{name}} sends it, through {@link SagaSignals}; the form's signal id is made
 * when the page is drawn, so a form sent twice is one signal.
 */
@Path("/console/inbox")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ConsoleResource.VIEWER, ConsoleResource.OPERATOR})
public class ConsoleInboxResource {

    static final int SHOWN = 100;

    private final SagaQueries queries;
    private final SagaSignals signals;
    private final SecurityIdentity identity;
    private final RoutingContext request;
    private final ConsoleCsrf csrf;

    ConsoleInboxResource(SagaQueries queries, SagaSignals signals, SecurityIdentity identity, RoutingContext request,
                         ConsoleCsrf csrf) {
        this.queries = queries;
        this.signals = signals;
        this.identity = identity;
        this.request = request;
        this.csrf = csrf;
    }

    /**
     * One waiting saga as the inbox shows it.
     *
     * @param decisionField the payload's yes-or-no field that approve and reject set; null when it has none (the saga is
     *                      signalled over the API)
     * @param commentField  the payload's first text field, which the comment fills; null when it has none
     * @param mayDecide     the signed-in person holds a role the await names
     * @param signalId      the id the form sends, made now: a form sent twice is the same signal
     */
    public record Waiting(SagaViews.Summary saga, String step, String signal, Instant waitingUntil, String decisionField,
                          String commentField, boolean mayDecide, String roles, String signalId) {
    }

    @GET
    public Response inbox(@QueryParam("done") String done) {
        return html(200, InboxPages.inbox(page(), waiting(), null, done));
    }

    @POST
    @Path("/{id}/{signal}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@PathParam("id") UUID id, @PathParam("signal") String signal, @FormParam("decision") String decision,
                           @FormParam("comment") String comment, @FormParam("signalId") String signalId,
                           @FormParam("csrf") String token) {
        if (!csrf.valid(request, user(), token)) {
            return html(403, InboxPages.inbox(page(), waiting(), "This form did not come from a page of this console (its"
                    + " security token is missing or out of date), so nothing was sent. Send it again from the inbox.", null));
        }
        String problem;
        int status = 409;
        try {
            SagaSignals.Target target = signals.target(id, signal);
            Await await = target.await();
            if (await.roles().stream().noneMatch(identity::hasRole)) {
                problem = "Signal '" + signal + "' needs one of the roles " + String.join(", ", await.roles())
                        + "; your account has none of them.";
                status = 403;
            } else if (!"approve".equals(decision) && !"reject".equals(decision)) {
                problem = "Choose approve or reject.";
                status = 400;
            } else if (decisionField(await) == null) {
                problem = "Signal '" + signal + "' is no yes or no (its payload has no boolean field): send it over the API.";
            } else {
                ObjectNode payload = JsonNodeFactory.instance.objectNode().put(decisionField(await), "approve".equals(decision));
                String commentField = commentField(await);
                if (commentField != null && comment != null && !comment.isBlank()) {
                    payload.put(commentField, comment.strip());
                }
                String id2 = signalId == null || signalId.isBlank() ? "console:" + UUID.randomUUID() : signalId;
                signals.send(target, id2, payload, "console:" + Actor.of(identity).name());
                String said = URLEncoder.encode(decision + "d " + id, StandardCharsets.UTF_8);
                return Response.seeOther(URI.create("/console/inbox?done=" + said)).build();
            }
        } catch (InvalidSignalException e) {
            problem = e.getMessage() + ": " + e.violations().stream().map(v -> v.field() + " " + v.message())
                    .collect(Collectors.joining("; "));
            status = 400;
        } catch (SignalRefusedException | SagaNotFoundException e) {
            problem = e.getMessage();
        }
        return html(status, InboxPages.inbox(page(), waiting(), problem, null));
    }

    private List<Waiting> waiting() {
        List<Waiting> waiting = new ArrayList<>();
        for (SagaViews.Summary s : queries.waitingForSignal(SHOWN)) {
            Optional<SagaSignals.Target> target = target(s);
            Await await = target.map(SagaSignals.Target::await).orElse(null);
            waiting.add(new Waiting(s, target.map(t -> t.step().name()).orElse(null), s.waitingFor(), s.nextAttemptAt(),
                    await == null ? null : decisionField(await), await == null ? null : commentField(await),
                    await != null && await.roles().stream().anyMatch(identity::hasRole),
                    await == null ? "" : String.join(", ", await.roles()), "console:" + UUID.randomUUID()));
        }
        return waiting;
    }

    private Optional<SagaSignals.Target> target(SagaViews.Summary s) {
        try {
            return Optional.of(signals.target(s.sagaId(), s.waitingFor()));
        } catch (RuntimeException e) {
            return Optional.empty(); // ended, or its definition cannot be read: the saga's own page says more
        }
    }

    /** The payload's first yes-or-no field, the required ones first. */
    private static String decisionField(Await await) {
        return firstOf(await, InputField.Type.BOOLEAN);
    }

    private static String commentField(Await await) {
        return firstOf(await, InputField.Type.STRING);
    }

    private static String firstOf(Await await, InputField.Type type) {
        return await.payload().fields().values().stream().filter(f -> f.type() == type)
                .sorted((a, b) -> Boolean.compare(b.required(), a.required())).map(InputField::name).findFirst().orElse(null);
    }

    private ConsoleViews.Page page() {
        return new ConsoleViews.Page(user(), identity.hasRole(ConsoleResource.OPERATOR), csrf.token(request, user()), "inbox");
    }

    private String user() {
        return identity.getPrincipal().getName();
    }

    /** As the console's other pages: never cached, never framed, forms only to this console. */
    private static Response html(int status, TemplateInstance page) {
        return Response.status(status).type("text/html;charset=UTF-8").entity(page.render())
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .build();
    }
}
