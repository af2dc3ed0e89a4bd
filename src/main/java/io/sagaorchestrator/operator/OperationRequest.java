package io.sagaorchestrator.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.definitions.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * @param reason what the operator saw and did, kept in the audit trail (required)
 * @param force  confirms that a COMPLETED saga's business operation is to be undone, or, for skip, that earlier
 *               attempts of a step whose outcome is unknown left no second effect
 * @param step   skip: the step the operator carried out by hand
 * @param output skip: that step's output, as later steps and its compensation read it
 * @param dryRun replan: only show what would change
 */
public record OperationRequest(
        @NotBlank(message = "is required: say why, it goes into the audit trail")
        @Size(max = 2000, message = "must be at most 2000 characters") @PlainText(PlainText.Kind.MESSAGE) String reason,
        Boolean force,
        @Size(max = 63, message = "must be at most 63 characters") @PlainText String step,
        JsonNode output,
        Boolean dryRun) {

    /** A compensate, retry or resolve request. */
    public OperationRequest(String reason, Boolean force) {
        this(reason, force, null, null, null);
    }

    public boolean forced() {
        return Boolean.TRUE.equals(force);
    }

    public boolean dryRunOnly() {
        return Boolean.TRUE.equals(dryRun);
    }
}
