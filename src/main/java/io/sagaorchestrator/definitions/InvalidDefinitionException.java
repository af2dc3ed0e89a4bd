package io.sagaorchestrator.definitions;

/** A saga definition that cannot be run; the message names the file, the place and the fault. */
public final class InvalidDefinitionException extends RuntimeException {
    public InvalidDefinitionException(String file, String place, String fault) {
        super("Invalid saga definition " + file + (place.isEmpty() ? "" : ", " + place) + ": " + fault);
    }
}
