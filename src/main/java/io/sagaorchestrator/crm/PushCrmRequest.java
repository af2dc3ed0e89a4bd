package io.sagaorchestrator.crm;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/** The body of {@code POST /api/sagas/push-crm}: {@code {"user_id": 42}}. */
public record PushCrmRequest(@JsonProperty("user_id") @NotNull(message = "is required") @Positive(message = "must be positive") Long userId) {
}
