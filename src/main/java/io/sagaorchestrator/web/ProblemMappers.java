package io.sagaorchestrator.web;

import io.sagaorchestrator.runtime.InvalidSignalException;
import io.sagaorchestrator.store.SignalRefusedException;

import io.sagaorchestrator.store.InvalidCursorException;
import io.sagaorchestrator.store.InvalidParameterException;
import io.sagaorchestrator.store.SagaNotFoundException;
import io.sagaorchestrator.store.SearchUnavailableException;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sagaorchestrator.definitions.InputSchema;
import io.sagaorchestrator.runtime.ThirdPartyNotConfiguredException;
import io.sagaorchestrator.runtime.IdempotencyKeyReusedException;
import io.sagaorchestrator.runtime.LiveKeyHeldException;
import io.sagaorchestrator.definitions.KeyNotInInputException;
import io.sagaorchestrator.operator.ManualOperations;
import io.sagaorchestrator.operator.OperationRefusedException;
import io.sagaorchestrator.operator.TooManySagasException;
import io.sagaorchestrator.store.SagaLogUnavailableException;
import io.sagaorchestrator.store.SagaRefusedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Every error the API answers is problem+json; none leaks a stack trace or a secret. */
@ApplicationScoped
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final ManualOperations operations;

    ProblemMappers(ManualOperations operations) {
        this.operations = operations;
    }

    @ServerExceptionMapper
    public Response invalidInput(ConstraintViolationException e) {
        return invalidInputAnswer(e.getConstraintViolations().stream()
                .map(v -> new InputSchema.Violation(field(v), v.getMessage()))
                .sorted(Comparator.comparing(InputSchema.Violation::field))
                .toList());
    }

    /** The one answer to invalid input, from bean validation or from a definition's declared input. */
    static Response invalidInputAnswer(List<InputSchema.Violation> violations) {
        String detail = violations.stream().map(v -> v.field() + " " + v.message()).reduce((a, b) -> a + "; " + b).orElse("");
        return Problem.of(Response.Status.BAD_REQUEST, "invalid-input", "The request is not valid", detail)
                .with("violations", violations).toResponse();
    }

    /** A query, header or body value the service cannot use, named as bean validation names its violations. */
    @ServerExceptionMapper
    public Response invalidParameter(InvalidParameterException e) {
        return invalidInputAnswer(List.of(new InputSchema.Violation(e.parameter(), e.problem())));
    }

    @ServerExceptionMapper
    public Response notAnId(NotAnIdException e) {
        return Problem.of(Response.Status.NOT_FOUND, "not-an-id", "The id in the path is not a UUID", e.getMessage()).toResponse();
    }

    /** Quarkus' own words name an annotation of the code; the client needs the header and its value. */
    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e, HttpHeaders headers) {
        String sent = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        boolean form = sent != null && sent.startsWith(MediaType.APPLICATION_FORM_URLENCODED);
        return Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "The body's Content-Type is not JSON",
                        "The Content-Type header must be application/json; this request sent "
                                + (sent == null || sent.isBlank() ? "none" : "'" + sent + "'")
                                + (form ? " (what curl -d sends unless told: add -H 'Content-Type: application/json')" : "") + ".")
                .with("header", HttpHeaders.CONTENT_TYPE).toResponse();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return Problem.of(Response.Status.BAD_REQUEST, "malformed-json", "The request body is not valid JSON",
                e.getOriginalMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response idempotencyKeyReused(IdempotencyKeyReusedException e) {
        return Problem.of(422, "idempotency-key-reused", "The Idempotency-Key was used for another request", e.getMessage())
                .with("sagaId", e.sagaId()).toResponse();
    }

    @ServerExceptionMapper
    public Response liveKeyHeld(LiveKeyHeldException e) {
        return Problem.of(Response.Status.CONFLICT, "saga-key-held", "Another saga with the same key has not ended", e.getMessage())
                .with("key", e.key())
                .with("sagaId", e.holder()).toResponse();
    }

    @ServerExceptionMapper
    public Response keyNotInInput(KeyNotInInputException e) {
        return invalidInputAnswer(List.of(new InputSchema.Violation(e.field(), e.reason())));
    }

    @ServerExceptionMapper
    public Response sagaNotFound(SagaNotFoundException e) {
        Problem problem = Problem.of(Response.Status.NOT_FOUND, "saga-not-found", "No such saga", e.getMessage());
        return (e.audited() ? problem.with("audit", "/api/audit?sagaId=" + e.sagaId()) : problem).toResponse();
    }

    @ServerExceptionMapper
    public Response operationRefused(OperationRefusedException e) {
        return Problem.of(Response.Status.CONFLICT, "operation-refused", "The operation does not fit the saga's state", e.getMessage())
                .with("status", e.status().name())
                .with("sagaId", e.sagaId())
                .with("allowed", operations.allowedNow(e.sagaId()))
                .toResponse();
    }

    @ServerExceptionMapper
    public Response invalidSignal(InvalidSignalException e) {
        return invalidInputAnswer(e.violations().stream()
                .map(v -> new InputSchema.Violation("payload." + v.field(), v.message())).toList());
    }

    /** A signal for a saga that will never wait for it (404) or waits for it no more (409); nothing changed. */
    @ServerExceptionMapper
    public Response signalRefused(SignalRefusedException e) {
        return switch (e.why()) {
            case NO_SAGA -> Problem.of(Response.Status.NOT_FOUND, "saga-not-found", "No such saga", e.getMessage()).toResponse();
            case NO_SUCH_AWAIT -> Problem.of(Response.Status.NOT_FOUND, "no-such-await", "The saga never waits for this signal",
                    e.getMessage()).toResponse();
            case NOT_WAITING -> Problem.of(Response.Status.CONFLICT, "not-waiting", "The saga waits for this signal no more",
                    e.getMessage()).toResponse();
            case CONFLICT -> Problem.of(Response.Status.CONFLICT, "signal-conflict", "The saga has another signal of this name",
                    e.getMessage()).toResponse();
        };
    }

    @ServerExceptionMapper
    public Response tooManySagas(TooManySagasException e) {
        return Problem.of(422, "too-many-sagas", "The filter matches too many sagas", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response invalidCursor(InvalidCursorException e) {
        return Problem.of(Response.Status.BAD_REQUEST, "invalid-cursor", "The cursor is not valid", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return malformedJson(json);
            }
        }
        int status = e.getResponse().getStatus();
        if (e.getResponse().hasEntity() || status < 400) {
            return e.getResponse();
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        return Problem.of(status, "http-" + status, title, e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response sagaLogUnavailable(SagaLogUnavailableException e) {
        LOG.warn(e.getMessage());
        return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "saga-log-unavailable", "The saga log cannot be written now",
                "The database did not confirm the write. Repeat the request with the same Idempotency-Key: it answers"
                        + " for the saga if it was recorded, and starts it if it was not.").toResponse();
    }

    @ServerExceptionMapper
    public Response thirdPartyNotConfigured(ThirdPartyNotConfiguredException e) {
        return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "third-party-not-configured",
                "A third party of this saga is not configured", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response sagaRefused(SagaRefusedException e) {
        LOG.warn(e.getMessage());
        return Problem.of(422, "saga-refused", "The saga log refused this saga's values",
                "Nothing was started: " + e.getCause().getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response searchUnavailable(SearchUnavailableException e) {
        LOG.warnf("A read of the saga log was refused: %s (%s)", e.reason(), e.getCause().getMessage());
        Problem problem = switch (e.reason()) {
            case TIMED_OUT -> Problem.of(Response.Status.SERVICE_UNAVAILABLE, "search-timed-out",
                    "The search took too long and was stopped", e.getMessage());
            case BUSY -> Problem.of(Response.Status.SERVICE_UNAVAILABLE, "searches-busy",
                    "Too many searches are running now", e.getMessage());
        };
        return Response.fromResponse(problem.toResponse()).header("Retry-After", 1).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Request failed unexpectedly", e);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "internal-error", "The service failed",
                "An unexpected error occurred; the service log has the details").toResponse();
    }

    private static String field(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        // "start.request.name" -> "name": the client knows its body, not our method names
        String[] parts = path.split("\\.");
        return parts.length > 2 ? String.join(".", Arrays.copyOfRange(parts, 2, parts.length)) : parts[parts.length - 1];
    }
}
