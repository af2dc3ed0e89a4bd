package io.sagaorchestrator.examples.usersync;

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

/** Starts the user-sync-outbox saga: the liaison is saved locally, then created in TT after the commit. */
@Path("/api/sagas/user-sync-outbox")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("saga-client")
public class UserSyncOutboxResource {

    private final UserSyncStarts starts;

    UserSyncOutboxResource(UserSyncStarts starts) {
        this.starts = starts;
    }

    /**
     * @param wait seconds to wait for the saga to end before answering 202
     * @param idempotencyKey the same key always answers for the same saga, never starts a second one
     */
    @POST
    public Response start(@NotNull(message = "is required") @Valid UserSyncRequest request,
                          @HeaderParam("Idempotency-Key") @Size(max = 200, message = "must be at most 200 characters") String idempotencyKey,
                          @QueryParam("wait") @DefaultValue("10") @Min(0) @Max(60) int wait) {
        return starts.start("user-sync-outbox", request, idempotencyKey, wait);
    }
}
