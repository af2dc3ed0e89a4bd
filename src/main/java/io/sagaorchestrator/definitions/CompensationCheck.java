package io.sagaorchestrator.definitions;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A compensation's {@code verify:} block: a read-only call made after the compensation answered success, whose answer
 * must show that the undo really undid. Every other engine runs the compensation and trusts it; a step that declares
 * this is {@code COMPENSATED} only once the check agrees.
 *
 * <pre>
 * compensation:
 *   http: { method: DELETE, target: crm, path: /contacts/${forward.output.id} }
 *   verify:
 *     http: { method: GET, target: crm, path: /contacts/${forward.output.id} }
 *     expect: { status: 404 }                       # or { pointer: /state, value: cancelled }, or both
 *     retry: { attempts: 3, backoff: { initialDelay: 2s } }   # default: the compensation's retry policy
 * </pre>
 *
 * <p><b>The check is an attempt like any other</b>: an attempt row in direction {@code VERIFY} (its request and, on
 * success, its answer; on failure, what it saw), retried on {@link #retry}, traced. An answer that does not meet the
 * expectation is an {@code UnavailableFailure} (the third party may not have caught up yet): retried while the budget
 * lasts, then the saga is {@code ESCALATED} as <b>drift</b>. A 5xx, 429 or lost answer is classified as for any call.
 *
 * <p><b>When no check is due ("not needed").</b> The check is demanded only when the compensation actually undid
 * something. A compensation that deliberately leaves the effect in place (an action bean that keeps a user which existed
 * before the saga, or whose ownership is uncertain under {@code onUncertainOwnership: keep}) says so in its output:
 * <pre>{ "undone": false, "reason": "kept: it existed before this saga ..." }</pre>
 * Then the step is {@code COMPENSATED} without a check, shown as "check not needed" with that reason, and it is never
 * escalated as drift. Any other output (no {@code undone} field, or {@code "undone": true}) makes the check due. A
 * declared compensation call always undoes, so its check is always due.
 *
 * <p><b>What the check reads.</b> Its templates read the saga like the compensation's ({@code input},
 * {@code steps.<s>.output}, {@code forward.output}). When the forward step's answer was never learned (its outcome was
 * unknown) and the compensation learned it (an action bean that re-issued the call to find the id), the compensation's
 * own output stands for {@code forward.output}: such a compensation returns the ids it undid under the same names.
 *
 * @param http         the check's call; always a GET
 * @param expectStatus the status the answer must have, or null when only the pointer is checked
 * @param pointer      a JSON pointer into the answer's body, or null
 * @param value        the value expected at {@link #pointer} (compared as text for scalars), or null with no pointer
 * @param retry        the check's own attempt budget
 */
public record CompensationCheck(HttpCall http, Integer expectStatus, JsonPointer pointer, JsonNode value, RetryPolicy retry) {

    /** The output field by which a compensation says whether it undid anything (see the class comment). */
    public static final String UNDONE_FIELD = "undone";
    /** The output field a compensation that undid nothing uses to say why. */
    public static final String REASON_FIELD = "reason";

    public CompensationCheck {
        Objects.requireNonNull(http, "verify.http");
        Objects.requireNonNull(retry, "verify.retry");
        if (expectStatus == null && pointer == null) {
            throw new IllegalArgumentException("verify.expect says nothing to check: give a status, or a pointer and a value");
        }
        if ((pointer == null) != (value == null)) {
            throw new IllegalArgumentException("verify.expect needs a pointer and a value together");
        }
    }

    /** Whether a check is due after a compensation that answered {@code compensationOutput}: false only for {@code "undone": false}. */
    public static boolean due(JsonNode compensationOutput) {
        return compensationOutput == null || !compensationOutput.path(UNDONE_FIELD).isBoolean()
                || compensationOutput.path(UNDONE_FIELD).booleanValue();
    }

    /** Why a compensation that undid nothing did so, as it said; a generic text when it did not say. */
    public static String notNeededBecause(JsonNode compensationOutput) {
        JsonNode reason = compensationOutput == null ? null : compensationOutput.get(REASON_FIELD);
        return reason != null && reason.isTextual() ? reason.textValue() : "the compensation says it undid nothing";
    }

    /** What the check expects, for messages: {@code status 404}, {@code /state = "cancelled"}. */
    public String expectation() {
        StringBuilder s = new StringBuilder();
        if (expectStatus != null) {
            s.append("status ").append(expectStatus);
        }
        if (pointer != null) {
            s.append(s.isEmpty() ? "" : " and ").append(pointer).append(" = ").append(value);
        }
        return s.toString();
    }

    /**
     * Why an answer does not meet the expectation, or null when it does.
     *
     * @param body the answer's body as JSON, or null when it had none or it was not JSON
     */
    public String unmet(int status, JsonNode body) {
        if (expectStatus != null && status != expectStatus) {
            return "it answered " + status;
        }
        if (pointer != null) {
            JsonNode found = body == null ? null : body.at(pointer);
            if (found == null || found.isMissingNode()) {
                return "its answer has nothing at " + pointer;
            }
            boolean same = found.isValueNode() && value.isValueNode() ? found.asText().equals(value.asText()) : found.equals(value);
            if (!same) {
                return pointer + " is " + found;
            }
        }
        return null;
    }
}
