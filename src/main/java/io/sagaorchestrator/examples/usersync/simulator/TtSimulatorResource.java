package io.sagaorchestrator.examples.usersync.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sagaorchestrator.examples.usersync.AuthToken;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A stand-in for TT's user API (see the TT contract), so the service runs without a TT server: point
 * {@code quarkus.rest-client.tt-user-api.url} at {@code <this service>/tt-simulator}. Off unless
 * {@code tt.simulator.enabled=true} (dev mode, tests and the demo profile set it); while off, every request
 * answers a bare 404, as if it were absent.
 *
 * <p>Only this machine may use it: its token is public and it answers for users that exist nowhere, so a
 * request from any other address gets the same bare 404 (behind a proxy that forwards the client's address,
 * that address counts; see {@link LoopbackOnly}). It holds at most {@code tt.simulator.max-users} users, so nobody can fill the memory.
 *
 * <p>It fails as {@link TtSimulatorFaults} says, switched while it runs at {@code /tt-simulator/faults}.
 */
@Path("/tt-simulator/users")
@Produces(MediaType.APPLICATION_JSON)
// the API's role checks are for our callers; this stands for a foreign system that checks authToken itself
@PermitAll
// one instance: the users live in it
@Singleton
@LoopbackOnly
public class TtSimulatorResource {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Envelope(String status, String data, String message) {

        static Envelope of(String status) {
            return new Envelope(status, null, null);
        }
    }

    /** TT carried the request out, and its answer never reaches the caller. */
    static final class LostAnswer extends RuntimeException {
        LostAnswer() {
            super("the TT simulator drops this answer, as tt-simulator/faults asks", null, false, false);
        }
    }

    private final boolean enabled;
    private final TtSimulatorFaults faults;
    private final int maxUsers;
    private final Optional<byte[]> expectedToken;
    private final ObjectMapper json;
    private final SimulatedUsers users = new SimulatedUsers();

    @Inject
    public TtSimulatorResource(
            @ConfigProperty(name = "tt.simulator.enabled", defaultValue = "false") boolean enabled,
            TtSimulatorFaults faults,
            @ConfigProperty(name = "tt.simulator.max-users", defaultValue = "10000") int maxUsers,
            // optional so that a disabled simulator never makes the secret mandatory
            @ConfigProperty(name = "tt.app-secret") Optional<String> appSecret,
            ObjectMapper json) {
        this.enabled = enabled;
        this.faults = faults;
        this.maxUsers = maxUsers;
        // no secret: every request is refused, as TT refuses a client that has none
        this.expectedToken = appSecret.map(secret -> AuthToken.md5Hex(secret).getBytes(StandardCharsets.UTF_8));
        this.json = json;
    }

    @POST
    public Response add(@HeaderParam(AuthToken.HEADER) String authToken, String body) {
        return refusal(authToken).orElseGet(() -> {
            slowly();
            if (faults.failAdds()) {
                // TT down: nobody is created, and the caller cannot tell that from a lost add
                return answer(Status.SERVICE_UNAVAILABLE, Envelope.of("ERROR"));
            }
            return unlessLost(add(body));
        });
    }

    @DELETE
    @Path("{id}")
    public Response delete(@HeaderParam(AuthToken.HEADER) String authToken, @PathParam("id") String id) {
        return refusal(authToken).orElseGet(() -> {
            slowly();
            if (faults.failDeletes()) {
                // the outcome a caller cannot tell from a lost delete: its saga retries, then escalates
                return answer(Status.SERVICE_UNAVAILABLE, Envelope.of("ERROR"));
            }
            users.delete(id);
            return unlessLost(answer(Status.OK, Envelope.of("OK")));
        });
    }

    @GET
    @Path("{id}")
    public Response get(@HeaderParam(AuthToken.HEADER) String authToken, @PathParam("id") String id) {
        return refusal(authToken).orElseGet(() -> {
            slowly();
            return unlessLost(users.username(id)
                    .map(name -> answer(Status.OK, new Envelope("OK", name, null)))
                    .orElseGet(() -> answer(Status.NOT_FOUND, Envelope.of("NOT_FOUND"))));
        });
    }

    // the body is read as text, so even malformed JSON reaches the enabled check and the contract's 400
    private Response add(String body) {
        Optional<String> username = username(body);
        if (username.isEmpty()) {
            return answer(Status.BAD_REQUEST,
                    new Envelope("BAD_REQUEST", null, "a JSON object with a non-blank \"username\" is required"));
        }
        return users.add(username.get(), maxUsers)
                .map(registration -> answer(Status.OK, new Envelope(registration.created() ? "OK" : "EXISTS", registration.id(), null)))
                // a 4xx is a refusal in TT's contract: the saga compensates instead of retrying into a full simulator
                .orElseGet(() -> answer(Status.TOO_MANY_REQUESTS,
                        new Envelope("FULL", null, "the simulator holds at most " + maxUsers + " users (tt.simulator.max-users)")));
    }

    private Optional<String> username(String body) {
        try {
            JsonNode username = json.readTree(body == null ? "" : body).path("username");
            return username.isTextual() && !username.asText().isBlank() ? Optional.of(username.asText()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** A slow TT, when the faults say so: the request waits before TT acts on it, and the caller may give up meanwhile. */
    private void slowly() {
        try {
            Thread.sleep(faults.delayMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The answer, unless the faults say to lose it: what TT did stays done. */
    private Response unlessLost(Response answer) {
        if (faults.loseThisAnswer()) {
            throw new LostAnswer();
        }
        return answer;
    }

    /** Drops the connection instead of answering: the caller sees what a network failure after the request shows. */
    @ServerExceptionMapper
    public Response dropConnection(LostAnswer lost, HttpServerRequest request) {
        request.connection().close();
        return Response.status(Status.SERVICE_UNAVAILABLE).build();
    }

    private Optional<Response> refusal(String authToken) {
        if (!enabled) {
            return Optional.of(Response.status(Status.NOT_FOUND).build());
        }

        boolean authentic = authToken != null && expectedToken
                // constant time: the simulator should not teach callers that timing leaks are fine
                .map(expected -> MessageDigest.isEqual(expected, authToken.getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
        if (!authentic) {
            return Optional.of(answer(Status.UNAUTHORIZED, new Envelope("UNAUTHORIZED", null, "bad or missing authToken")));
        }
        return Optional.empty();
    }

    private static Response answer(Status status, Envelope envelope) {
        return Response.status(status).entity(envelope).build();
    }
}
