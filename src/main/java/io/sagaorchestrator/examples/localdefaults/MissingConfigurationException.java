package io.sagaorchestrator.examples.localdefaults;

/** A production start lacks a setting it cannot run without; the message names what to set. */
public final class MissingConfigurationException extends IllegalStateException {

    public MissingConfigurationException(String message) {
        super(message);
    }
}
