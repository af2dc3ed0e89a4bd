package io.sagaorchestrator.web;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.operator.Actor;
import io.sagaorchestrator.runtime.SagaSignals;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;

/** Signals for sagas that wait for one (an {@code await} step): the way in for people and programs over HTTP. */
@Path("/api/sagas")
public class SignalResource {

    private final SagaSignals signals;
    private final SecurityIdentity identity;
    private final ObjectReader bodies;

    SignalResource(SagaSignals signals, SecurityIdentity identity, ObjectMapper json) {
        this.signals = signals;
        this.identity = identity;
        this.bodies = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * The body is the signal's payload; the {@code Idempotency-Key} header is the signal's id, which makes sending it
     * twice harmless.
     */
    @POST
    @Path("/{id}/signals/{signal}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Authenticated
    @Operation(summary = "Send a signal to a saga that waits for it, or will",
            description = "The body is the payload the await declares; the Idempotency-Key header is the signal's id (required):"
                    + " the same id sent again answers the same and changes nothing. A signal sent before the saga reaches"
                    + " its await is kept for it. 202 when kept, 400 with `violations` for a payload that does not match (nothing"
                    + " is kept), 403 without a role the await names (default saga-operator), 404 for an unknown saga or a"
                    + " signal its definition never waits for, 409 when the saga waits for it no more (ended, compensating,"
                    + " past its await) or has another signal under another id.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    public Response signal(@PathParam("id") UUID id, @PathParam("signal") String signal, InputStream body,
                           @HeaderParam("Idempotency-Key") String signalId) throws IOException {
        if (signals.signallingRoles().stream().noneMatch(identity::hasRole)) {
            return Problem.of(Response.Status.FORBIDDEN, "signal-not-allowed", "You may not send signals",
                    "Sending a signal needs a role an await names: " + String.join(", ", signals.signallingRoles())).toResponse();
        }
        SagaSignals.Target target = signals.target(id, signal);
        if (target.await().roles().stream().noneMatch(identity::hasRole)) {
            return Problem.of(Response.Status.FORBIDDEN, "signal-not-allowed", "You may not send this signal",
                    "Signal '" + signal + "' needs one of the roles " + String.join(", ", target.await().roles())).toResponse();
        }
        if (signalId == null || signalId.isBlank() || signalId.length() > 200) {
            return ProblemMappers.invalidInputAnswer(List.of(new InputSchema.Violation("Idempotency-Key",
                    "is required, 1 to 200 characters: it is the signal's id, which makes sending it twice harmless")));
        }
        JsonNode payload = bodies.readTree(body);
        SagaSignals.Sent sent = signals.send(target, signalId, payload, "http:" + Actor.of(identity).name());
        return Response.accepted(sent).build();
    }
}
