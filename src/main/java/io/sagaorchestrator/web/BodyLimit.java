package io.sagaorchestrator.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body over {@code quarkus.http.limits.max-body-size} answered as problem+json. Quarkus refuses it itself, but with a
 * bare 413 (no Content-Type, no word of the limit); this route runs just before Quarkus's own limit, for the API only.
 * A body whose length is announced (as every JSON client here sends it) is refused before it is read, and the
 * connection closed, so a client cannot make the service read more than the limit.
 *
 * <p>A body of unannounced length (chunked, HTTP/2) is left to Quarkus's own limit, which still refuses it, with the
 * bare 413: reading it here first would leave JAX-RS a request it refuses to read ("Request has already been read").
 */
@ApplicationScoped
public class BodyLimit {

    private final long limit;
    private final byte[] tooLarge;

    BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ObjectMapper json)
            throws JsonProcessingException {
        this.limit = limit.asLongValue();
        long bytes = this.limit;
        String readable = bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " bytes";
        this.tooLarge = json.writeValueAsBytes(Problem.of(413, "body-too-large", "The request body is too large",
                "The body is larger than the limit of " + readable + "; nothing was done").members());
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && announcedTooLarge(length)) {
                refuse(context);
            } else {
                context.next();
            }
        });
    }

    private boolean announcedTooLarge(String length) {
        try {
            return Long.parseLong(length.strip()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x refuses a malformed length itself
        }
    }

    /** Closes the connection after answering: the rest of the body is not read. */
    private void refuse(RoutingContext context) {
        context.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(v -> context.request().connection().close())
                .end(io.vertx.core.buffer.Buffer.buffer(tooLarge));
    }
}
