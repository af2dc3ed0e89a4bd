package io.sagaorchestrator.api;

import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Locale;

/** The saga definitions this instance runs, with the version and content hash sagas record. */
@Path("/api/definitions")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"saga-viewer", "saga-operator"})
public class DefinitionsResource {

    public record Definition(String name, int version, String hash, String description, List<Step> steps) {
    }

    public record Step(String name, String type, String action, String compensation, String onFailure, long timeoutMillis,
                       Policy retry, Policy compensationRetry) {
    }

    public record Policy(int attempts, int inProcessAttempts, long inProcessDelayMillis, long initialDelayMillis,
                         double multiplier, long maxDelayMillis, double jitter, List<String> retryOn, List<String> abortOn) {
    }

    private final DefinitionRegistry definitions;

    DefinitionsResource(DefinitionRegistry definitions) {
        this.definitions = definitions;
    }

    @GET
    public List<Definition> list() {
        return definitions.all().stream().map(DefinitionsResource::view).toList();
    }

    private static Definition view(SagaDefinition d) {
        return new Definition(d.name(), d.version(), d.hash(), d.description(), d.steps().stream().map(DefinitionsResource::view).toList());
    }

    private static Step view(StepDefinition s) {
        return new Step(s.name(), s.kind().name().toLowerCase(Locale.ROOT), s.action(), s.compensation(),
                s.onFailure().name().toLowerCase(Locale.ROOT), s.timeout().toMillis(),
                view(s.retry()), s.hasCompensation() ? view(s.compensationRetry()) : null);
    }

    private static Policy view(RetryPolicy p) {
        return new Policy(p.attempts(), p.inProcessAttempts(), p.inProcessDelay().toMillis(), p.initialDelay().toMillis(),
                p.multiplier(), p.maxDelay().toMillis(), p.jitter(),
                p.retryOn().stream().map(Class::getSimpleName).toList(), p.abortOn().stream().map(Class::getSimpleName).toList());
    }
}
