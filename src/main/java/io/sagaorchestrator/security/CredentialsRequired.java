package io.sagaorchestrator.security;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;

import java.util.stream.StreamSupport;

/**
 * The packaged service ships no users: it refuses to start until some way to sign in is
 * configured, rather than run an API nobody can call (or, worse, one guarded by a default password).
 */
@Startup
@ApplicationScoped
@IfBuildProfile("prod")
public class CredentialsRequired {

    static final String USERS = "quarkus.security.users.embedded.users.";
    static final String JWT_KEY = "mp.jwt.verify.publickey";

    private final Config config;

    CredentialsRequired(Config config) {
        this.config = config;
    }

    @PostConstruct
    void check() {
        boolean configured = StreamSupport.stream(config.getPropertyNames().spliterator(), false)
                .anyMatch(name -> name.startsWith(USERS) || name.startsWith(JWT_KEY));
        if (!configured) {
            throw new IllegalStateException("No credentials are configured, so nobody could use the API. Set at least one user,"
                    + " e.g. QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE=<password> and"
                    + " QUARKUS_SECURITY_USERS_EMBEDDED_ROLES_ALICE=saga-client,saga-viewer,saga-operator,"
                    + " or bearer JWT with MP_JWT_VERIFY_PUBLICKEY_LOCATION and MP_JWT_VERIFY_ISSUER (see README, Security)");
        }
    }
}
