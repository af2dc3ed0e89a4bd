package io.sagaorchestrator.web;

import io.sagaorchestrator.store.SagaQueries;
import io.sagaorchestrator.store.SagaViews;

import io.quarkus.security.identity.SecurityIdentity;
import io.sagaorchestrator.operator.Actor;
import io.sagaorchestrator.core.CompensationPlan;
import io.sagaorchestrator.operator.CompensationPlans;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.operator.ManualOperations;
import io.sagaorchestrator.operator.Operation;
import io.sagaorchestrator.operator.OperationRequest;
import io.sagaorchestrator.core.SagaStatus;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The saga log, read by people and tools, and repaired by operators (each operation needs a reason and is audited). */
@Path("/api/sagas")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"saga-viewer", "saga-operator"})
public class SagaResource {

    private final SagaQueries queries;
    private final ManualOperations operations;
    private final SecurityIdentity identity;
    private final CompensationPlans plans;

    SagaResource(SagaQueries queries, ManualOperations operations, SecurityIdentity identity, CompensationPlans plans) {
        this.queries = queries;
        this.operations = operations;
        this.identity = identity;
        this.plans = plans;
    }

    /** One saga: status, input, result, and every attempt of every step in both directions. */
    @GET
    @Path("/{id}")
    public SagaViews.Detail get(@PathParam("id") UUID id) {
        return queries.require(id);
    }

    /**
     * Sagas newest first. {@code status} may be repeated; {@code businessKey} is the business key or the value of a field
     * the definition declares under {@code search:} (user-sync: the username or the phone); {@code stuck} (e.g.
     * {@code 5m}) lists live sagas that have not moved for that long; {@code retrying=true} those whose current step has failed and is being retried;
     * {@code minAttempts} those whose current step used at least that many attempts; {@code paused=true} those an
     * operator paused. Follow
     * {@code nextCursor} for the next page.
     */
    @GET
    public SagaViews.Page list(@QueryParam("status") List<String> status, @QueryParam("definition") String definition,
                               @QueryParam("businessKey") String businessKey,
                               @QueryParam("createdFrom") String createdFrom, @QueryParam("createdTo") String createdTo,
                               @QueryParam("updatedFrom") String updatedFrom, @QueryParam("updatedTo") String updatedTo,
                               @QueryParam("error") @Size(max = 200) String error, @QueryParam("stuck") String stuck,
                               @QueryParam("minAttempts") @Min(1) Integer minAttempts, @QueryParam("retrying") Boolean retrying,
                               @QueryParam("paused") Boolean paused,
                               @QueryParam("cursor") String cursor,
                               @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        return queries.list(new SagaQueries.Filter(QueryParams.statuses(status), QueryParams.text("definition", definition),
                QueryParams.text("businessKey", businessKey),
                QueryParams.instant("createdFrom", createdFrom), QueryParams.instant("createdTo", createdTo),
                QueryParams.instant("updatedFrom", updatedFrom), QueryParams.instant("updatedTo", updatedTo),
                QueryParams.text("error", error), QueryParams.duration("stuck", stuck), minAttempts, retrying, paused), cursor, limit);
    }

    /** Counts by status and definition, how many are retrying, and the oldest saga still going. */
    @GET
    @Path("/stats")
    public SagaViews.Stats stats() {
        return queries.stats();
    }

    /**
     * A manual repair: {@code compensate} undoes a RUNNING (stuck) saga, or a COMPLETED one with
     * {@code "force": true}; {@code retry} gives a fresh attempt budget (an ESCALATED saga resumes
     * where it stopped, a stuck step is tried now); {@code resolve} closes an ESCALATED saga repaired
     * by hand; {@code pause} holds a RUNNING or COMPENSATING saga's next attempt back (an attempt in flight ends first,
     * its deadline keeps counting) until {@code resume}. The reason goes into the audit trail.
     */
    @POST
    @RolesAllowed("saga-operator")
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/{operation: " + Operation.PLAIN_PATHS + "}")
    public ManualOperations.Result operate(@PathParam("id") UUID id, @PathParam("operation") String operation,
                                           @NotNull(message = "is required") @Valid OperationRequest request) {
        return operations.apply(id, Operation.named(operation).orElseThrow(), actor(), request);
    }

    /**
     * What {@code compensate} would do, before anyone confirms it: the steps it would undo in order, each with its
     * effect (DONE, UNCERTAIN, COMPENSATED, or pre-existing as its output says) and the request its compensation would
     * send, secrets left out; the steps skipped and why; and why compensating now would be refused, in the operation's
     * own words. {@code force=true} asks as a forced compensation of a COMPLETED saga would. Nothing changes.
     */
    @GET
    @Path("/{id}/compensation-plan")
    public CompensationPlan compensationPlan(@PathParam("id") UUID id, @QueryParam("force") @DefaultValue("false") boolean force) {
        return plans.plan(id, force);
    }

    /**
     * Records that the saga's current forward step ({@code step}, named to guard against skipping another) was carried
     * out by hand, with the {@code output} later steps and its compensation read, and lets the saga go on from there.
     */
    @POST
    @RolesAllowed("saga-operator")
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/skip")
    public ManualOperations.Result skip(@PathParam("id") UUID id, @NotNull(message = "is required") @Valid OperationRequest request) {
        List<InputSchema.Violation> violations = new ArrayList<>();
        if (request.step() == null || request.step().isBlank()) {
            violations.add(new InputSchema.Violation("step", "is required: name the step that was carried out by hand"));
        }
        if (request.output() == null || !request.output().isObject()) {
            violations.add(new InputSchema.Violation("output", "is required: a JSON object, the step's output as later steps read it"));
        }
        if (!violations.isEmpty()) {
            throw new WebApplicationException(ProblemMappers.invalidInputAnswer(violations));
        }
        return operations.apply(id, Operation.SKIP, actor(), request);
    }

    /**
     * Moves the saga to the current version of its definition when the steps it has passed are the same there, and
     * lets it go on where it stopped with a fresh attempt budget; {@code "dryRun": true} only shows what would change.
     */
    @POST
    @RolesAllowed("saga-operator")
    @Consumes(MediaType.APPLICATION_JSON)
    @Path("/{id}/replan")
    public ManualOperations.Result replan(@PathParam("id") UUID id, @NotNull(message = "is required") @Valid OperationRequest request) {
        return operations.apply(id, Operation.REPLAN, actor(), request);
    }

    private Actor actor() {
        return Actor.of(identity);
    }

}
