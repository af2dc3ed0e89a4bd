package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One field of a definition's declared input. A keyword that does not fit the type (a pattern on an integer, a minimum
 * on a string) is refused when the definition is read, so a definition never promises a check it does not make.
 *
 * @param pattern   the whole value must match (as {@code @Pattern}), not a part of it
 * @param maxLength counted in characters (Unicode code points), as a person counts them
 * @param allowed   the values an {@code enum} admits, or empty
 * @param text      what a string may hold besides visible text; never null for strings, so no string reaches the log
 *                  with a NUL (PostgreSQL cannot store it) or a bidi override
 */
public record InputField(String name, Type type, boolean required, Pattern pattern, Integer maxLength, BigDecimal minimum,
                         BigDecimal maximum, List<String> allowed, PlainText.Kind text, Integer maxItems) {

    public enum Type {
        STRING, INTEGER, NUMBER, BOOLEAN, OBJECT, ARRAY;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public InputField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
        boolean string = type == Type.STRING;
        boolean numeric = type == Type.INTEGER || type == Type.NUMBER;
        onlyFor(type, string, pattern != null, "pattern", "string");
        onlyFor(type, string, maxLength != null, "maxLength", "string");
        onlyFor(type, string, !allowed.isEmpty(), "enum", "string");
        onlyFor(type, string, text != null, "text", "string");
        onlyFor(type, numeric, minimum != null, "minimum", "integer or number");
        onlyFor(type, numeric, maximum != null, "maximum", "integer or number");
        onlyFor(type, type == Type.ARRAY, maxItems != null, "maxItems", "array");
        if (maxItems != null && maxItems < 0) {
            throw new IllegalArgumentException("maxItems must be at least 0, got " + maxItems);
        }
        if (maxLength != null && maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
        }
        if (minimum != null && maximum != null && minimum.compareTo(maximum) > 0) {
            throw new IllegalArgumentException("minimum " + minimum + " is above maximum " + maximum + ": no value could pass");
        }
        text = string ? (text == null ? PlainText.Kind.MESSAGE : text) : null;
    }

    private static void onlyFor(Type type, boolean fits, boolean given, String keyword, String types) {
        if (given && !fits) {
            throw new IllegalArgumentException(keyword + " applies to " + types + " fields, not to " + type.yamlName());
        }
    }

    /** Adds what is wrong with {@code value} (null when the field is absent) to {@code violations}. */
    void check(JsonNode value, List<InputSchema.Violation> violations) {
        if (value == null || value.isNull() || (type == Type.STRING && value.isTextual() && value.asText().isBlank())) {
            if (required) {
                violations.add(new InputSchema.Violation(name, "is required"));
            }
            return;
        }
        switch (type) {
            case STRING -> {
                if (!value.isTextual()) {
                    violations.add(new InputSchema.Violation(name, "must be a string"));
                } else {
                    checkText(value.asText(), violations);
                }
            }
            case INTEGER -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    violations.add(new InputSchema.Violation(name, "must be an integer (64 bits)"));
                } else {
                    checkRange(BigDecimal.valueOf(value.longValue()), violations);
                }
            }
            case NUMBER -> {
                if (!value.isNumber()) {
                    violations.add(new InputSchema.Violation(name, "must be a number"));
                } else {
                    checkRange(value.decimalValue(), violations);
                }
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    violations.add(new InputSchema.Violation(name, "must be true or false"));
                }
            }
            case OBJECT -> {
                if (!value.isObject()) {
                    violations.add(new InputSchema.Violation(name, "must be a JSON object"));
                }
            }
            case ARRAY -> {
                if (!value.isArray()) {
                    violations.add(new InputSchema.Violation(name, "must be a JSON array"));
                } else if (maxItems != null && value.size() > maxItems) {
                    violations.add(new InputSchema.Violation(name, "must hold at most " + maxItems + " items, not "
                            + value.size()));
                }
            }
        }
    }

    private void checkText(String value, List<InputSchema.Violation> violations) {
        if (maxLength != null && value.codePointCount(0, value.length()) > maxLength) {
            violations.add(new InputSchema.Violation(name, "must be at most " + maxLength + " characters"));
        }
        if (pattern != null && !pattern.matcher(value).matches()) {
            violations.add(new InputSchema.Violation(name, "must match \"" + pattern.pattern() + "\""));
        }
        if (!allowed.isEmpty() && !allowed.contains(value)) {
            violations.add(new InputSchema.Violation(name, "must be one of " + String.join(", ", allowed)));
        }
        PlainText.Validator.refusal(value, text).ifPresent(message -> violations.add(new InputSchema.Violation(name, message)));
    }

    private void checkRange(BigDecimal value, List<InputSchema.Violation> violations) {
        if (minimum != null && value.compareTo(minimum) < 0) {
            violations.add(new InputSchema.Violation(name, "must be at least " + minimum.toPlainString()));
        }
        if (maximum != null && value.compareTo(maximum) > 0) {
            violations.add(new InputSchema.Violation(name, "must be at most " + maximum.toPlainString()));
        }
    }
}
