package io.sagaorchestrator.web;

import io.sagaorchestrator.operator.Actor;
import io.sagaorchestrator.operator.BulkOperations;
import io.sagaorchestrator.operator.CompensationPlans;
import io.sagaorchestrator.operator.Operation;
import io.sagaorchestrator.operator.OperationRequest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.store.InvalidParameterException;
import io.sagaorchestrator.definitions.PlainText;
import io.sagaorchestrator.store.SagaQueries;
import io.sagaorchestrator.store.BulkJobs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/** Compensate, retry, resolve, pause or resume every saga a filter matches, as a job whose progress can be read back. */
@Path("/api/bulk-operations")
@Produces(MediaType.APPLICATION_JSON)
public class BulkOperationsResource {

    /**
     * The same criteria as {@code GET /api/sagas}; at least one that narrows is required. Blank texts and empty lists
     * are no criterion (as in the console's form), and {@code "retrying": false} (or {@code "paused": false}) narrows
     * nothing worth a bulk job: it is every saga not being retried (not paused).
     */
    public record Filter(List<String> status, String definition, String businessKey, String createdFrom, String createdTo,
                         String updatedFrom, String updatedTo, @Size(max = 200) String error, String stuck,
                         @Min(1) Integer minAttempts, Boolean retrying, Boolean paused) {

        public Filter {
            status = status == null ? null : status.stream().filter(s -> s != null && !s.isBlank()).toList();
            definition = blankToNull(definition);
            businessKey = blankToNull(businessKey);
            createdFrom = blankToNull(createdFrom);
            createdTo = blankToNull(createdTo);
            updatedFrom = blankToNull(updatedFrom);
            updatedTo = blankToNull(updatedTo);
            error = blankToNull(error);
            stuck = blankToNull(stuck);
        }

        boolean isEmpty() {
            return (status == null || status.isEmpty()) && definition == null && businessKey == null && createdFrom == null
                    && createdTo == null && updatedFrom == null && updatedTo == null && error == null && stuck == null
                    && minAttempts == null && !Boolean.TRUE.equals(retrying) && !Boolean.TRUE.equals(paused);
        }

        private static String blankToNull(String text) {
            return text == null || text.isBlank() ? null : text;
        }

        SagaQueries.Filter toQuery() {
            return new SagaQueries.Filter(QueryParams.statuses(status == null ? List.of() : status),
                    QueryParams.text("definition", definition), QueryParams.text("businessKey", businessKey),
                    QueryParams.instant("createdFrom", createdFrom), QueryParams.instant("createdTo", createdTo),
                    QueryParams.instant("updatedFrom", updatedFrom), QueryParams.instant("updatedTo", updatedTo),
                    QueryParams.text("error", error),
                    QueryParams.duration("stuck", stuck), minAttempts, retrying, paused);
        }
    }

    public record Request(
            @NotNull(message = "is required")
            @Pattern(regexp = Operation.PLAIN_PATHS, message = Operation.PLAIN_PATHS_IN_WORDS) String operation,
            @NotBlank(message = "is required: say why, it goes into every saga's audit trail")
            @Size(max = 2000, message = "must be at most 2000 characters") @PlainText(PlainText.Kind.MESSAGE) String reason,
            Boolean force,
            @NotNull(message = "is required: say which sagas") @Valid Filter filter) {
    }

    public record Submitted(UUID id, String status, int total) {
    }

    /** What a bulk compensate would be asked: {@code force} and the filter, as in {@link Request}. */
    public record PlanRequest(Boolean force, @NotNull(message = "is required: say which sagas") @Valid Filter filter) {
    }

    private final BulkOperations bulk;
    private final SecurityIdentity identity;
    private final ObjectMapper json;
    private final CompensationPlans plans;

    BulkOperationsResource(BulkOperations bulk, SecurityIdentity identity, ObjectMapper json, CompensationPlans plans) {
        this.bulk = bulk;
        this.identity = identity;
        this.json = json;
        this.plans = plans;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("saga-operator")
    public Response submit(@NotNull(message = "is required") @Valid Request request) {
        requireNarrowing(request.filter());
        UUID id = bulk.submit(Operation.named(request.operation()).orElseThrow(),
                new OperationRequest(request.reason(), request.force()), request.filter().toQuery(),
                json.valueToTree(request.filter()), Actor.of(identity));
        BulkJobs.Job job = bulk.job(id).orElseThrow();
        return Response.accepted(new Submitted(id, job.status(), job.total())).location(URI.create("/api/bulk-operations/" + id)).build();
    }

    /**
     * What a bulk compensate over the filter would do, before it is submitted: how many sagas match, how many would
     * be undone or refused (and why), and per step how many would be undone or skipped (and why). Nothing changes.
     */
    @POST
    @Path("/compensation-plan")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({"saga-viewer", "saga-operator"})
    public CompensationPlans.Totals compensationPlan(@NotNull(message = "is required") @Valid PlanRequest request) {
        requireNarrowing(request.filter());
        return plans.totals(bulk.matching(request.filter().toQuery()), Boolean.TRUE.equals(request.force()));
    }

    private static void requireNarrowing(Filter filter) {
        if (filter.isEmpty()) {
            throw new InvalidParameterException("filter", "is empty: name at least one criterion (e.g. status and definition),"
                    + " a bulk operation over every saga is never what was meant");
        }
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({"saga-viewer", "saga-operator"})
    public BulkJobs.Job get(@PathParam("id") UUID id) {
        return bulk.job(id).orElseThrow(() -> new NotFoundException("There is no bulk operation " + id));
    }
}
