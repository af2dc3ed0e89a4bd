package io.sagaorchestrator.web;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.HttpStart;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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

/**
 * Starts any loaded definition that declares its input. Endpoints of their own ({@code /api/sagas/user-sync}, which
 * derives the TT username) are literal paths and win over this template, so they keep answering as before.
 */
@Path("/api/sagas")
public class SagaStartResource {

    private final DefinitionRegistry definitions;
    private final SagaStarts starts;
    private final SecurityIdentity identity;
    // a key written twice would leave a check passed by one value and a saga started with the other
    private final ObjectReader bodies;

    SagaStartResource(DefinitionRegistry definitions, SagaStarts starts, SecurityIdentity identity, ObjectMapper json) {
        this.definitions = definitions;
        this.starts = starts;
        this.identity = identity;
        this.bodies = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * The body is read only once the caller holds one of the definition's {@code startRoles}, and must be what its
     * {@code input} declares: no field it does not declare.
     *
     * @param wait           seconds to wait for the saga to end before answering 202
     * @param idempotencyKey the same key from the same caller always answers for the same saga
     */
    @POST
    @Path("/{definition}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Authenticated
    @Operation(summary = "Start a saga of any definition that declares its input",
            description = "The body is the definition's declared input (GET /api/definitions shows it as `input`, and who may"
                    + " start it as `startRoles`). 200 when it completed within `wait`, 202 while it runs, 409 when it was undone"
                    + " or escalated, 400 with `violations` for invalid input (nothing is written), 403 without a start role,"
                    + " 404 for an unknown definition, 405 for one that declares no input, 422 for an Idempotency-Key reused"
                    + " with another body, 503 when a third party it calls has no URL.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    public Response start(@PathParam("definition") String name, InputStream body,
                          @HeaderParam("Idempotency-Key") @Size(max = 200, message = "must be at most 200 characters") String idempotencyKey,
                          @QueryParam("wait") @DefaultValue("10") @Min(0) @Max(60) int wait) throws IOException {
        SagaDefinition definition = definitions.current(name).orElse(null);
        if (definition == null) {
            return Problem.of(Response.Status.NOT_FOUND, "definition-not-found", "No such saga definition",
                    definitions.whyNotLoaded(name)).toResponse();
        }
        HttpStart start = definition.httpStart();
        if (start == null) {
            return Response.fromResponse(Problem.of(Response.Status.METHOD_NOT_ALLOWED, "no-http-start",
                    "This saga is not started through this endpoint",
                    "Saga '" + name + "' declares no input, so it has no generic HTTP start: it is started by code (SagaOutbox,"
                            + " saga_dispatch) or by an endpoint of its own").toResponse()).header("Allow", "").build();
        }
        if (start.roles().stream().noneMatch(identity::hasRole)) {
            return Problem.of(Response.Status.FORBIDDEN, "start-not-allowed", "You may not start this saga",
                    "Starting '" + name + "' needs one of the roles " + String.join(", ", start.roles())).toResponse();
        }
        JsonNode input = bodies.readTree(body);
        List<InputSchema.Violation> violations = definition.inputViolations(input);
        if (!violations.isEmpty()) {
            return ProblemMappers.invalidInputAnswer(violations);
        }
        return starts.start(definition, input, start.businessKeyOf(input), idempotencyKey, wait);
    }
}
