package io.sagaorchestrator.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the API shows of the saga log. */
public final class SagaViews {

    private SagaViews() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(UUID sagaId, String definition, int definitionVersion, String status, String businessKey,
                          String lastError, Instant createdAt, Instant updatedAt,
                          /* set while an instance advances it */ String owner, Instant leaseExpiresAt,
                          /* set while it waits for a scheduled retry */ Instant nextAttemptAt,
                          /* live sagas: attempts of the current step against its budget */ Integer attempts,
                          boolean retrying,
                          /* an operator paused it: it makes no new attempt until resumed */ boolean paused, Instant pausedAt,
                          String pausedBy) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(UUID sagaId, String definition, int definitionVersion, String definitionHash, String status,
                         String businessKey, JsonNode input, JsonNode result, String lastError, Instant createdAt,
                         Instant updatedAt, String owner, Instant leaseExpiresAt, Instant nextAttemptAt, Integer attempts,
                         boolean retrying, boolean paused, Instant pausedAt, String pausedBy,
                         /* the id of the saga's trace; null when tracing was off */ String traceId,
                         List<Step> steps, List<AuditTrail.Entry> operations,
                         /* when a RUNNING saga stops going forward: the earlier of its deadline and its step's; null when none */
                         Instant deadlineAt) {
        Detail withOperations(List<AuditTrail.Entry> trail) {
            return new Detail(sagaId, definition, definitionVersion, definitionHash, status, businessKey, input, result, lastError,
                    createdAt, updatedAt, owner, leaseExpiresAt, nextAttemptAt, attempts, retrying, paused, pausedAt, pausedBy,
                    traceId, steps, trail, deadlineAt);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, String type, String action, String compensation, String effect, JsonNode output,
                       List<Attempt> attempts) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(String direction, int attempt, String outcome, String instance, Instant startedAt, Instant endedAt,
                          String errorClass, String errorMessage, JsonNode request, JsonNode response) {
    }

    public record Page(List<Summary> items, String nextCursor) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stats(Instant asOf, Map<String, Long> byStatus, Map<String, Map<String, Long>> byDefinition, long retrying,
                        /* live sagas an operator paused */ long paused, Summary oldestLive, Long oldestLiveAgeSeconds) {
    }
}
