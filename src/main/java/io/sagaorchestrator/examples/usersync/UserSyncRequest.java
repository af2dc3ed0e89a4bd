package io.sagaorchestrator.examples.usersync;

import io.sagaorchestrator.definitions.PlainText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import java.util.List;

/** The body of {@code POST /api/sagas/user-sync}. */
public record UserSyncRequest(
        @NotBlank(message = "is required") @Size(max = 64, message = "must be at most 64 characters")
        @PlainText String name,
        @NotBlank(message = "is required")
        @Pattern(regexp = "1\\d{10}", message = "must be an 11-digit mobile number starting with 1") String phone,
        @Size(min = 1, max = 20, message = "must list 1 to 20 role ids") @AllowedRoleIds List<@NotNull @Positive Integer> roleIds) {
}
