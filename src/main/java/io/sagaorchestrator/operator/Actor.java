package io.sagaorchestrator.operator;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who applies a manual operation. The name is what people read in the audit trail; with a token it comes from a
 * configurable claim (e.g. {@code preferred_username}) and may change at the identity provider, so the token's subject
 * ({@code sub}, never reassigned) is kept beside it. A password sign-in has no subject.
 */
public record Actor(String name, String subject) {

    public static Actor of(SecurityIdentity identity) {
        return new Actor(identity.getPrincipal().getName(),
                identity.getPrincipal() instanceof JsonWebToken token ? token.getSubject() : null);
    }
}
