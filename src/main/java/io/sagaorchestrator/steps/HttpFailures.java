package io.sagaorchestrator.steps;

import jakarta.ws.rs.WebApplicationException;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;

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
            return forStatus(call, web.getResponse().getStatus(), body(web), e);
        }
        return forLostAnswer(call, e);
    }

    /** What an answer with a status other than 2xx means, by its status alone. */
    public static StepFailure forStatus(String call, int status, String body, Throwable cause) {
        if (status == 408 || status == 429) {
            return new UnavailableFailure(call + " was turned away (HTTP " + status + "): " + body, cause);
        }
        if (status < 500) {
            return new RejectedFailure(call + " was rejected (HTTP " + status + "): " + body, cause);
        }
        return new UnknownOutcomeFailure(call + " failed with HTTP " + status + "; it may or may not have been carried out", cause);
    }

    /** A call that got no answer: certainly not carried out when it could not connect, in doubt otherwise. */
    public static StepFailure forLostAnswer(String call, Throwable e) {
        if (causedBy(e, ConnectException.class) || causedBy(e, HttpConnectTimeoutException.class)) {
            return new UnavailableFailure(call + " could not connect: " + e.getMessage(), e);
        }
        return new UnknownOutcomeFailure(call + " lost its answer (" + e.getMessage() + "); it may or may not have been carried out", e);
    }

    /** A body for a failure's message: short, and marked when there is none. */
    public static String excerpt(String text) {
        if (text == null || text.isBlank()) {
            return "(no body)";
        }
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static String body(WebApplicationException e) {
        try {
            return excerpt(e.getResponse().readEntity(String.class));
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
