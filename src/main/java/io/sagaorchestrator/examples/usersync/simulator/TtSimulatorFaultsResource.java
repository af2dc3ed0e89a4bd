package io.sagaorchestrator.examples.usersync.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.sagaorchestrator.web.Problem;
import io.sagaorchestrator.examples.usersync.simulator.TtSimulatorFaults.Faults;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Switches the TT simulator's faults while it runs: {@code PUT /tt-simulator/faults {"failAdds": true}} makes TT fail
 * every add until the next switch, {@code PUT ... {}} makes it well again. Part of the simulator: off, and a bare 404,
 * unless {@code tt.simulator.enabled=true} (dev mode, tests, the demo profile), and for this machine only.
 */
@Path("/tt-simulator/faults")
@Produces(MediaType.APPLICATION_JSON)
// whoever may use the simulator may break it: both are this machine only
@PermitAll
@Singleton
@LoopbackOnly
public class TtSimulatorFaultsResource {

    private final boolean enabled;
    private final TtSimulatorFaults faults;
    // a misspelt fault must not switch every fault off without a word
    private final ObjectReader strict;

    @Inject
    public TtSimulatorFaultsResource(@ConfigProperty(name = "tt.simulator.enabled", defaultValue = "false") boolean enabled,
                                     TtSimulatorFaults faults, ObjectMapper json) {
        this.enabled = enabled;
        this.faults = faults;
        this.strict = json.readerFor(Faults.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @GET
    public Response current() {
        return enabled ? Response.ok(faults.current()).build() : absent();
    }

    /** The faults from now on; a fault the body leaves out is off. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Response switchTo(String body) {
        if (!enabled) {
            return absent();
        }
        Faults wanted;
        try {
            wanted = body == null || body.isBlank() ? null : strict.readValue(body);
        } catch (UnrecognizedPropertyException e) {
            return refusal("'" + e.getPropertyName() + "' is not a fault; the faults are " + e.getKnownPropertyIds());
        } catch (JsonProcessingException e) {
            return refusal("the body is not a JSON object of faults (" + e.getOriginalMessage() + ")");
        }
        if (wanted == null) {
            return refusal("a JSON object is required, e.g. {\"failAdds\": true}; {} switches every fault off");
        }
        try {
            return Response.ok(faults.switchTo(wanted)).build();
        } catch (IllegalArgumentException e) {
            return refusal(e.getMessage());
        }
    }

    private static Response refusal(String detail) {
        return Problem.of(Status.BAD_REQUEST, "invalid-simulator-faults", "The faults cannot be switched", detail
                + "; nothing was changed").toResponse();
    }

    private static Response absent() {
        return Response.status(Status.NOT_FOUND).build();
    }
}
