package io.sagaorchestrator.examples.usersync;

import io.sagaorchestrator.telemetry.TraceParentFilter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.util.List;

/** The TT land cloud user API (its contract: docs/writing-sagas.md): the forward call and its compensation. */
@RegisterRestClient(configKey = "tt-user-api")
@RegisterProvider(TraceParentFilter.class)
@Path("/users")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public interface TtUserApi {

    /** {@code ttAddUser}: OK with the new id, or EXISTS with the id of the user who has the username. */
    @POST
    Answer add(@HeaderParam(AuthToken.HEADER) String authToken, NewUser user);

    /** {@code ttDeleteUser}: OK, also when the user does not exist. */
    @DELETE
    @Path("/{id}")
    Answer delete(@HeaderParam(AuthToken.HEADER) String authToken, @PathParam("id") String remoteUserId);

    /** @param password md5 hex of the initial password, as TT expects it */
    record NewUser(String username, String password, String name, String phone, List<Integer> roleIds) {
    }

    /** TT's envelope: {@code status} OK / EXISTS / an error code, {@code data} the payload. */
    record Answer(String status, String data, String message) {
    }
}
