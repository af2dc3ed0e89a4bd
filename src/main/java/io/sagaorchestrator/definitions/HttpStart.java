package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Objects;

/**
 * How a definition is started over {@code POST /api/sagas/{name}}: the input it declares, the field kept as its
 * business key, and the roles that may start it. A definition without one is started by code only (the outbox, the
 * SQL dispatch) or by an endpoint of its own.
 *
 * @param businessKey the input field operators search the saga by, or null
 */
public record HttpStart(InputSchema input, String businessKey, List<String> roles) {

    public static final List<String> DEFAULT_ROLES = List.of("saga-client");

    public HttpStart {
        Objects.requireNonNull(input, "input");
        roles = roles == null ? DEFAULT_ROLES : List.copyOf(roles);
        if (roles.isEmpty() || roles.stream().anyMatch(r -> r == null || r.isBlank())) {
            throw new IllegalArgumentException("startRoles must name at least one role, and no blank one (default: saga-client)");
        }
        if (businessKey != null) {
            InputField key = input.fields().get(businessKey);
            if (key == null) {
                throw new IllegalArgumentException("businessKey '" + businessKey + "' is not a field of input (fields: "
                        + String.join(", ", input.fields().keySet()) + ")");
            }
            if (key.type() != InputField.Type.STRING && key.type() != InputField.Type.INTEGER) {
                throw new IllegalArgumentException("businessKey '" + businessKey + "' is a " + key.type().yamlName()
                        + " field; a business key is a string or an integer field");
            }
        }
    }

    /** The business key of a valid body: its field as text, or null when there is none or it was left out. */
    public String businessKeyOf(JsonNode body) {
        JsonNode value = businessKey == null ? null : body.get(businessKey);
        return value == null || value.isNull() ? null : value.asText();
    }
}
