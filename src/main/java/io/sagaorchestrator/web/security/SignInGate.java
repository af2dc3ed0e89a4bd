package io.sagaorchestrator.web.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * Guards every password sign-in, HTTP Basic and the console's form alike (both ask for a
 * {@link UsernamePasswordAuthenticationRequest}): asked before the users' own identity provider, it refuses a
 * throttled name or address before the password is even checked (no guess is ever answered), then lets in a user whose
 * same password verified a moment ago ({@link VerifiedSignIns}), and otherwise marks the request as a sign-in whose
 * outcome then counts: Quarkus' authentication failure event, or the identity it
 * built (augmentors run on every successful authentication).
 */
@ApplicationScoped
public class SignInGate implements IdentityProvider<UsernamePasswordAuthenticationRequest>, SecurityIdentityAugmentor {

    private static final String ATTEMPT = SignInGate.class.getName() + ".attempt";

    private final SignInThrottle throttle;
    private final VerifiedSignIns verified;

    SignInGate(SignInThrottle throttle, VerifiedSignIns verified, @ConfigProperty(name = "quarkus.security.events.enabled") boolean securityEvents) {
        if (!securityEvents) {
            throw new IllegalStateException("Failed sign-ins are counted through Quarkus security events:"
                    + " quarkus.security.events.enabled must stay true");
        }
        this.throttle = throttle;
        this.verified = verified;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    /** Before the provider that checks passwords ({@link InPlacePasswordCheck}); as an augmentor, order does not matter. */
    @Override
    public int priority() {
        return IdentityProvider.super.priority() + 2;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (http == null) {
            return Uni.createFrom().nullItem();
        }
        SignInThrottle.Attempt attempt = new SignInThrottle.Attempt(request.getUsername(), address(http));
        return throttle.refusal(attempt)
                .map(wait -> Uni.createFrom().<SecurityIdentity>failure(new SignInThrottledException(wait)))
                .orElseGet(() -> verified.find(request)
                        .map(identity -> {
                            throttle.succeeded(attempt);
                            return Uni.createFrom().item(identity);
                        })
                        .orElseGet(() -> {
                            http.put(ATTEMPT, attempt);
                            // no identity from here: the next provider checks the password
                            return Uni.createFrom().nullItem();
                        }));
    }

    void failed(@Observes AuthenticationFailureEvent event) {
        Object http = event.getEventProperties().get(RoutingContext.class.getName());
        if (http instanceof RoutingContext request && request.get(ATTEMPT) instanceof SignInThrottle.Attempt attempt) {
            throttle.failed(attempt);
        }
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(identity);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context, Map<String, Object> attributes) {
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        if (http != null && http.get(ATTEMPT) instanceof SignInThrottle.Attempt attempt) {
            throttle.succeeded(attempt);
        }
        return Uni.createFrom().item(identity);
    }

    private static String address(RoutingContext http) {
        // behind a trusted proxy this is the client's address (quarkus.http.proxy.*), not the proxy's
        SocketAddress remote = http.request().remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }
}
