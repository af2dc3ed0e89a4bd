package io.sagaorchestrator.crm;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The CRM's user sync: {@code POST /users/{user_id}/push}, any 2xx meaning done, with the same
 * {@code Idempotency-Key} on every attempt of one saga.
 */
@RegisterRestClient(configKey = "crm-api")
public interface CrmApi {

    @POST
    @Path("/users/{userId}/push")
    Response push(@HeaderParam("Idempotency-Key") String idempotencyKey, @PathParam("userId") long userId);
}
