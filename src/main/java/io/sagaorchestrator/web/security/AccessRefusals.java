package io.sagaorchestrator.web.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticator;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.sagaorchestrator.web.Problem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.lang.reflect.Method;
import java.security.Principal;

/**
 * 401 and 403 as problem+json, as every other error of the API, with the {@code WWW-Authenticate} challenge kept on
 * the 401. Quarkus answers both with an empty body: in the REST layer for a role a resource method asks for, and in
 * the HTTP layer for credentials it rejected (or a path policy such as {@code /q/metrics}'s). The console keeps its own
 * answers: a redirect to its sign-in page, and an HTML page for a missing role.
 */
@ApplicationScoped
public class AccessRefusals {

    private static final String CONSOLE = "/console";

    /** No credentials for a resource method that needs a role. */
    @ServerExceptionMapper
    public Uni<Response> unauthenticated(UnauthorizedException e, RoutingContext http) {
        return challenge(http).map(challenge -> {
            Response.ResponseBuilder answer = Response.fromResponse(noCredentials().toResponse()).status(challenge.status);
            challenge.getHeaders().forEach((name, value) -> answer.header(name.toString(), value));
            return answer.build();
        });
    }

    /** Signed in, without a role the resource method needs. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request, SimpleResourceInfo resource) {
        Principal user = request.getSecurityContext().getUserPrincipal();
        String[] roles = rolesAllowed(resource);
        return forbidden(user == null ? null : user.getName(), roles.length == 0 ? null : String.join(", ", roles)).toResponse();
    }

    void register(@Observes Router router) {
        router.route().failureHandler(this::answer);
    }

    /** The HTTP layer's refusals, before any resource method: rejected credentials, and path policies. */
    private void answer(RoutingContext http) {
        Throwable failure = http.failure();
        boolean rejected = find(failure, AuthenticationFailedException.class) && !find(failure, SignInThrottledException.class);
        boolean denied = find(failure, ForbiddenException.class);
        if (http.response().ended() || http.request().path().startsWith(CONSOLE) || !(rejected || denied)) {
            http.next();
            return;
        }
        if (denied) {
            String user = http.user() instanceof QuarkusHttpUser signedIn ? signedIn.getSecurityIdentity().getPrincipal().getName() : null;
            end(http, forbidden(user, null));
            return;
        }
        challenge(http).subscribe().with(challenge -> {
            challenge.getHeaders().forEach((name, value) -> http.response().headers().set(name, value));
            end(http, credentialsRejected());
        }, http::fail);
    }

    private static Uni<ChallengeData> challenge(RoutingContext http) {
        HttpAuthenticator authenticator = http.get(HttpAuthenticator.class.getName());
        return authenticator.getChallenge(http);
    }

    private static void end(RoutingContext http, Problem problem) {
        http.response().setStatusCode(problem.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(Json.encode(problem.toResponse().getEntity()));
    }

    static Problem noCredentials() {
        return Problem.of(Response.Status.UNAUTHORIZED, "unauthenticated", "Sign-in required",
                "This request needs credentials: HTTP Basic with a configured user, or a bearer access token (see docs/deploying.md, Security).");
    }

    static Problem credentialsRejected() {
        return Problem.of(Response.Status.UNAUTHORIZED, "unauthenticated", "The credentials were not accepted",
                "The name and password, or the bearer token, were not accepted: check them, or ask for an account.");
    }

    /** @param roles the roles the request needs, or null where they are not known here */
    static Problem forbidden(String user, String roles) {
        String who = user == null ? "This account" : "The account '" + user + "'";
        return Problem.of(Response.Status.FORBIDDEN, "forbidden", "Not allowed",
                who + " may not do this" + (roles == null ? "" : ": it needs one of the roles " + roles) + ".");
    }

    private static String[] rolesAllowed(SimpleResourceInfo resource) {
        try {
            Method method = resource.getResourceClass().getMethod(resource.getMethodName(), resource.parameterTypes());
            RolesAllowed roles = method.isAnnotationPresent(RolesAllowed.class)
                    ? method.getAnnotation(RolesAllowed.class) : resource.getResourceClass().getAnnotation(RolesAllowed.class);
            return roles == null ? new String[0] : roles.value();
        } catch (NoSuchMethodException e) {
            return new String[0];
        }
    }

    private static boolean find(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
