package io.sagaorchestrator.actions;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import java.net.ConnectException;

/**
 * Reads a failed HTTP call the way third-party contracts usually mean it: a 4xx is a refusal that
 * asking again will not change (408 and 429 aside), a 5xx or a lost connection leaves the outcome
 * unknown, and a refused connection certainly did nothing.
 */
public final class HttpFailures {

    private HttpFailures() {
    }

    public static StepFailure classify(String call, RuntimeException e) {
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
            return new UnavailableFailure(call + " could not connect: " + e.getMessage(), e);
        }
        return new UnknownOutcomeFailure(call + " lost its answer (" + e.getMessage() + "); it may or may not have been carried out", e);
    }

    private static String body(WebApplicationException e) {
        try {
            String text = e.getResponse().readEntity(String.class);
            if (text == null || text.isBlank()) {
                return "(no body)";
            }
            return text.length() > 300 ? text.substring(0, 300) + "..." : text;
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
