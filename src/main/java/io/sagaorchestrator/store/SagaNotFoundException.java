package io.sagaorchestrator.store;

import java.util.UUID;

/** No saga with this id in the log; {@code audited} when its audit entries outlived it (retention deleted it). */
public final class SagaNotFoundException extends RuntimeException {

    private final UUID sagaId;
    private final boolean audited;

    public SagaNotFoundException(UUID id) {
        this(id, false);
    }

    SagaNotFoundException(UUID id, boolean audited) {
        super(audited ? "Saga " + id + " is no longer in the log: it ended and was deleted by retention (saga.retention.max-age);"
                + " its audit entries are kept: GET /api/audit?sagaId=" + id : "There is no saga " + id);
        this.sagaId = id;
        this.audited = audited;
    }

    public UUID sagaId() {
        return sagaId;
    }

    public boolean audited() {
        return audited;
    }
}
