package io.sagaorchestrator.web.security;

import io.quarkus.elytron.security.runtime.ElytronPasswordIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Checks the passwords of the users from configuration ({@code quarkus.security.users.embedded.*}) on the thread that
 * asks: the event loop, for HTTP Basic and the console's sign-in form. Quarkus' provider of these users hands every
 * check to a worker thread, as it must for a realm it cannot see into, so a Basic request went event loop, worker
 * (the check), event loop, worker (the resource) before it started. These users are a map in memory and their check
 * is one comparison, or one SHA digest for hashed passwords: less work than a hand-off. So Quarkus' own provider is
 * asked here, with a context that runs its check in place: the same realm, roles, password forms and comparisons,
 * without a thread of their own. An identity it verified is remembered for a while ({@link VerifiedSignIns}). Asked after {@link SignInGate} and before Quarkus' provider, it answers every
 * sign-in (an identity or a failure), so that provider is never asked on its own.
 * <p>
 * Only right for realms in memory (embedded users, properties files): a realm that calls a database or a directory
 * (elytron-security-jdbc, -ldap) would block the event loop, and must keep Quarkus' provider.
 */
@ApplicationScoped
public class InPlacePasswordCheck implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final AuthenticationRequestContext IN_PLACE = check -> Uni.createFrom().item(check);

    private final ElytronPasswordIdentityProvider configuredUsers;
    private final VerifiedSignIns verified;

    InPlacePasswordCheck(ElytronPasswordIdentityProvider configuredUsers, VerifiedSignIns verified) {
        this.configuredUsers = configuredUsers;
        this.verified = verified;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    /** Before Quarkus' provider of the same users, which has the default priority. */
    @Override
    public int priority() {
        return IdentityProvider.super.priority() + 1;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        return configuredUsers.authenticate(request, IN_PLACE).invoke(identity -> {
            if (identity != null) {
                verified.remember(request, identity);
            }
        });
    }
}
