package io.sagaorchestrator.operations;

import io.sagaorchestrator.api.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * @param reason what the operator saw and did, kept in the audit trail (required)
 * @param force  confirms that a COMPLETED saga's business operation is to be undone
 */
public record OperationRequest(
        @NotBlank(message = "is required: say why, it goes into the audit trail")
        @Size(max = 2000, message = "must be at most 2000 characters") @PlainText(PlainText.Kind.MESSAGE) String reason,
        Boolean force) {

    public boolean forced() {
        return Boolean.TRUE.equals(force);
    }
}
