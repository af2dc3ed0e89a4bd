package io.sagaorchestrator.sms;

import io.sagaorchestrator.api.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The body of {@code POST /api/sagas/send-sms}. */
public record SendSmsRequest(
        @NotBlank(message = "is required")
        @Pattern(regexp = "1\\d{10}", message = "must be an 11-digit mobile number starting with 1") String phone,
        @NotBlank(message = "is required") @Size(max = 500, message = "must be at most 500 characters")
        @PlainText(PlainText.Kind.MESSAGE) String content) {
}
