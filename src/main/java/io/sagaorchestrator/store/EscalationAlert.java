package io.sagaorchestrator.store;

import java.time.Instant;
import java.util.UUID;

/** An escalation alert owed to the webhook: its id (what receivers de-duplicate by), its JSON body, and attempts so far. */
public record EscalationAlert(UUID id, UUID sagaId, String body, int attempts, Instant createdAt) {
}
