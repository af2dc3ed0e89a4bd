package io.sagaorchestrator.web;

import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer in {@code application/problem+json} (RFC 9457): a type a program can switch on,
 * a title and a detail a person understands, and members that say which saga it is about.
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";

    private final Map<String, Object> body = new LinkedHashMap<>();
    private final int httpStatus;

    private Problem(int httpStatus, String type, String title, String detail) {
        this.httpStatus = httpStatus;
        body.put("type", "/problems/" + type);
        body.put("title", title);
        body.put("status", httpStatus);
        body.put("detail", detail);
    }

    public static Problem of(Response.Status status, String type, String title, String detail) {
        return new Problem(status.getStatusCode(), type, title, detail);
    }

    public static Problem of(int httpStatus, String type, String title, String detail) {
        return new Problem(httpStatus, type, title, detail);
    }

    /** Adds a member; {@code status} may be replaced by a saga's status where the API promises that. */
    public Problem with(String member, Object value) {
        body.put(member, value);
        return this;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The members, for answers written outside JAX-RS (e.g. by a Vert.x route). */
    public Map<String, Object> members() {
        return Map.copyOf(body);
    }

    public Response toResponse() {
        return Response.status(httpStatus).type(MEDIA_TYPE).entity(body).build();
    }
}
