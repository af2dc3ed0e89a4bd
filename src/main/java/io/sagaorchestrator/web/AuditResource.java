package io.sagaorchestrator.web;

import io.sagaorchestrator.store.AuditTrail;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

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
    public List<AuditTrail.Entry> audit(@QueryParam("sagaId") String sagaId, @QueryParam("actor") String actor,
                                        @QueryParam("operation") String operation, @QueryParam("from") String from,
                                        @QueryParam("to") String to,
                                        @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return audit.search(new AuditTrail.Filter(QueryParams.uuid("sagaId", sagaId), QueryParams.text("actor", actor),
                QueryParams.text("operation", operation),
                QueryParams.instant("from", from), QueryParams.instant("to", to)), limit);
    }
}
