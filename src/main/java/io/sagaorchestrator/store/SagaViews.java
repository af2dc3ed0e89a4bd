package io.sagaorchestrator.store;

import io.sagaorchestrator.definitions.CompensationCheck;

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
                          String pausedBy,
                          /* the signal it waits for, released, at an await step (its nextAttemptAt is when the wait runs out) */
                          String waitingFor) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(UUID sagaId, String definition, int definitionVersion, String definitionHash, String status,
                         String businessKey, JsonNode input, JsonNode result, String lastError, Instant createdAt,
                         Instant updatedAt, String owner, Instant leaseExpiresAt, Instant nextAttemptAt, Integer attempts,
                         boolean retrying, boolean paused, Instant pausedAt, String pausedBy,
                         /* the id of the saga's trace; null when tracing was off */ String traceId,
                         List<Step> steps, List<AuditTrail.Entry> operations,
                         /* when a RUNNING saga stops going forward: the earlier of its deadline and its step's; null when none */
                         Instant deadlineAt,
                         /* the signal it waits for at an await step, released; null when it waits for none */
                         String waitingFor) {
        Detail withOperations(List<AuditTrail.Entry> trail) {
            return new Detail(sagaId, definition, definitionVersion, definitionHash, status, businessKey, input, result, lastError,
                    createdAt, updatedAt, owner, leaseExpiresAt, nextAttemptAt, attempts, retrying, paused, pausedAt, pausedBy,
                    traceId, steps, trail, deadlineAt, waitingFor);
        }
    }

    /**
     * @param compensationCheck whether the step's compensation was verified; null while it has not run (or the step has
     *                          no compensation)
     * @param group             the parallel group the step is a branch of; null for a step that runs on its own
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, String type, String action, String compensation, String effect, JsonNode output,
                       List<Attempt> attempts, CompensationCheckView compensationCheck, String group) {

        public Step(String name, String type, String action, String compensation, String effect, JsonNode output,
                    List<Attempt> attempts) {
            this(name, type, action, compensation, effect, output, attempts, null, null);
        }
    }

    /**
     * Whether a compensation that ran was checked (its {@code verify:}): {@code VERIFIED} (a check attempt confirmed the
     * undo), {@code NOT_VERIFIED} (the check is due, being retried, or failed: the saga escalated as drift),
     * {@code NO_CHECK_DECLARED} (the definition declares no {@code verify:}), {@code NOT_NEEDED} (the compensation says it
     * undid nothing on purpose, e.g. it kept a user that existed before the saga).
     *
     * @param reason why not verified (the check's last error) or not needed (what the compensation said); else null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CompensationCheckView(String state, String reason) {
        public static final String VERIFIED = "VERIFIED";
        public static final String NOT_VERIFIED = "NOT_VERIFIED";
        public static final String NO_CHECK_DECLARED = "NO_CHECK_DECLARED";
        public static final String NOT_NEEDED = "NOT_NEEDED";

        /**
         * The check's state of a step from its attempts, oldest first; null when its compensation never answered success
         * and no check was made.
         *
         * @param declared the step's definition declares a check (false also when the definition cannot be read)
         */
        public static CompensationCheckView of(boolean declared, List<Attempt> attempts) {
            Attempt undo = null;
            Attempt check = null;
            for (Attempt a : attempts) {
                if ("COMPENSATION".equals(a.direction()) && "SUCCEEDED".equals(a.outcome())) {
                    undo = a;
                    check = null; // a later undo (a retry after drift) is checked anew
                } else if ("VERIFY".equals(a.direction())) {
                    check = a;
                }
            }
            if (check != null && "SUCCEEDED".equals(check.outcome())) {
                return new CompensationCheckView(VERIFIED, null);
            }
            if (undo == null && check == null) {
                return null;
            }
            if (undo != null && check == null && !CompensationCheck.due(undo.response())) {
                return new CompensationCheckView(NOT_NEEDED, CompensationCheck.notNeededBecause(undo.response()));
            }
            if (!declared && check == null) {
                return new CompensationCheckView(NO_CHECK_DECLARED, null);
            }
            return new CompensationCheckView(NOT_VERIFIED, check == null ? "the check is due" : check.errorMessage());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(String direction, int attempt, String outcome, String instance, Instant startedAt, Instant endedAt,
                          String errorClass, String errorMessage, JsonNode request, JsonNode response) {
    }

    public record Page(List<Summary> items, String nextCursor) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stats(Instant asOf, Map<String, Long> byStatus, Map<String, Map<String, Long>> byDefinition, long retrying,
                        /* live sagas an operator paused */ long paused, Summary oldestLive, Long oldestLiveAgeSeconds,
                        /* live sagas waiting for a signal at an await step */ long waitingForSignal) {
    }
}
