package io.sagaorchestrator.definitions;

/**
 * A declared call that cannot be built. Thrown while a definition is read, it carries the offending text, which
 * the definition parser looks up in the file to say on which line it is.
 */
public final class TemplateException extends IllegalArgumentException {

    private final String offending;

    public TemplateException(String offending, String message) {
        super(message);
        this.offending = offending;
    }

    public String offending() {
        return offending;
    }
}
