package io.sagaorchestrator.sms;

import io.sagaorchestrator.outbox.OutboxStarts;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Starts the send-sms saga, through the same outbox API that code inside the service uses. */
@Path("/api/sagas/send-sms")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("saga-client")
public class SendSmsResource {

    private final OutboxStarts starts;

    SendSmsResource(OutboxStarts starts) {
        this.starts = starts;
    }

    @POST
    public Response start(@NotNull(message = "is required") @Valid SendSmsRequest request,
                          @HeaderParam("Idempotency-Key") @Size(max = 200, message = "must be at most 200 characters") String idempotencyKey,
                          @QueryParam("wait") @DefaultValue("10") @Min(0) @Max(60) int wait) {
        return starts.start("send-sms", request, request.phone(), idempotencyKey, wait);
    }
}
