package io.sagaorchestrator.web.security;

import io.sagaorchestrator.web.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a throttled sign-in with 429 and {@code Retry-After}: problem+json for the API, a page for the console's
 * sign-in form. Authentication fails the request before any resource runs, so a Vert.x failure handler answers.
 */
@ApplicationScoped
public class SignInRefusals {

    private final String formPostLocation;

    SignInRefusals(@ConfigProperty(name = "quarkus.http.auth.form.post-location") String formPostLocation) {
        this.formPostLocation = formPostLocation;
    }

    void register(@Observes Router router) {
        router.route().failureHandler(this::answer);
    }

    private void answer(RoutingContext http) {
        SignInThrottledException refused = throttled(http.failure());
        if (refused == null) {
            http.next();
            return;
        }
        long seconds = refused.retryAfterSeconds();
        http.response().setStatusCode(429).putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        if (http.request().path().equals(formPostLocation)) {
            http.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=UTF-8").end("""
                    <!DOCTYPE html>
                    <html lang="en"><head><meta charset="utf-8"><title>Too many failed sign-ins</title></head>
                    <body><h1>Too many failed sign-ins</h1>
                    <p>Signing in with this name or from this address failed too often. Try again in %d seconds.</p>
                    <p><a href="/console/login">Back to the sign-in page</a></p></body></html>
                    """.formatted(seconds));
            return;
        }
        Response problem = Problem.of(429, "too-many-sign-in-failures", "Too many failed sign-ins",
                "Signing in with this name or from this address failed too often; the credentials were not checked."
                        + " Try again in " + seconds + " seconds.").toResponse();
        http.response().putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(Json.encode(problem.getEntity()));
    }

    private static SignInThrottledException throttled(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SignInThrottledException refused) {
                return refused;
            }
        }
        return null;
    }
}
