package io.sagaorchestrator.operations;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The audit trail of manual operations, searchable by saga, actor, operation and time. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"saga-viewer", "saga-operator"})
public class AuditResource {

    private final AuditTrail audit;

    AuditResource(AuditTrail audit) {
        this.audit = audit;
    }

    /** The audit trail, newest first (oldest first for one saga). */
    @GET
    public List<AuditTrail.Entry> audit(@QueryParam("sagaId") UUID sagaId, @QueryParam("actor") String actor,
                                        @QueryParam("operation") String operation, @QueryParam("from") Instant from,
                                        @QueryParam("to") Instant to,
                                        @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return audit.search(new AuditTrail.Filter(sagaId, actor, operation, from, to), limit);
    }
}
