package io.sagaorchestrator.api;

import java.util.UUID;

public final class SagaNotFoundException extends RuntimeException {
    public SagaNotFoundException(UUID id) {
        super("There is no saga " + id);
    }
}
