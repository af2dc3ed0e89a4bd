package io.sagaorchestrator.definitions;

/** A saga's input gives its definition's {@code key:} no value: the saga is not started, nothing is written. */
public final class KeyNotInInputException extends IllegalArgumentException {

    private final String field;
    private final String reason;

    public KeyNotInInputException(String field, String reason) {
        super("input." + field + " " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** What is wrong with the field, without its name. */
    public String reason() {
        return reason;
    }

    /** The input field at fault, as the API names fields in its violations. */
    public String field() {
        return field;
    }
}
