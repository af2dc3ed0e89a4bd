package io.sagaorchestrator.usersync;

import io.sagaorchestrator.actions.RejectedFailure;
import io.sagaorchestrator.actions.StepFailure;
import io.sagaorchestrator.actions.UnavailableFailure;
import io.sagaorchestrator.actions.UnknownOutcomeFailure;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import java.net.ConnectException;

/** Reads a failed TT call the way the contract says: 4xx refused for good, 5xx and lost connections unknown. */
final class TtFailures {

    private TtFailures() {
    }

    static StepFailure classify(String call, RuntimeException e) {
        if (e instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            String body = body(web);
            if (status == 408 || status == 429) {
                return new UnavailableFailure(call + " was turned away (HTTP " + status + "): " + body, e);
            }
            if (status < 500) {
                return new RejectedFailure(call + " was rejected (HTTP " + status + "): " + body, e);
            }
            return new UnknownOutcomeFailure(call + " failed with HTTP " + status + "; it may or may not have been carried out", e);
        }
        if (e instanceof ProcessingException && causedBy(e, ConnectException.class)) {
            return new UnavailableFailure(call + " could not connect to TT: " + e.getMessage(), e);
        }
        return new UnknownOutcomeFailure(call + " lost its answer (" + e.getMessage() + "); it may or may not have been carried out", e);
    }

    static UnknownOutcomeFailure unexpected(String call, TtUserApi.Answer answer) {
        return new UnknownOutcomeFailure(call + " answered an unexpected status " + (answer == null ? "(no body)" : answer.status()), null);
    }

    private static String body(WebApplicationException e) {
        try {
            TtUserApi.Answer answer = e.getResponse().readEntity(TtUserApi.Answer.class);
            return answer.status() + (answer.message() == null ? "" : " " + answer.message());
        } catch (RuntimeException unreadable) {
            return "(no readable body)";
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
