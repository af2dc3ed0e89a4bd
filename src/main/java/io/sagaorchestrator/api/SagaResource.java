package io.sagaorchestrator.api;

import io.sagaorchestrator.sagalog.SagaStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/** The saga log, read by people and tools. */
@Path("/api/sagas")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"saga-viewer", "saga-operator"})
public class SagaResource {

    private final SagaQueries queries;

    SagaResource(SagaQueries queries) {
        this.queries = queries;
    }

    /** One saga: status, input, result, and every attempt of every step in both directions. */
    @GET
    @Path("/{id}")
    public SagaViews.Detail get(@PathParam("id") UUID id) {
        return queries.detail(id).orElseThrow(() -> new SagaNotFoundException(id));
    }

    /** Sagas newest first; {@code status} may be repeated; follow {@code nextCursor} for the next page. */
    @GET
    public SagaViews.Page list(@QueryParam("status") List<String> status, @QueryParam("definition") String definition,
                               @QueryParam("cursor") String cursor,
                               @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        return queries.list(statuses(status), definition, cursor, limit);
    }

    private static Set<SagaStatus> statuses(List<String> names) {
        Set<SagaStatus> statuses = EnumSet.noneOf(SagaStatus.class);
        for (String name : names) {
            for (String one : name.split(",")) {
                try {
                    statuses.add(SagaStatus.valueOf(one.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new jakarta.ws.rs.BadRequestException("status '" + one + "' is not one of " + List.of(SagaStatus.values()));
                }
            }
        }
        return statuses;
    }
}
