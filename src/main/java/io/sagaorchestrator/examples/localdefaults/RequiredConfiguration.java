package io.sagaorchestrator.examples.localdefaults;

import io.sagaorchestrator.examples.usersync.TtCheckSettings;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.Startup;
import io.sagaorchestrator.definitions.DefinitionFiles;
import io.sagaorchestrator.runtime.ActionRegistry;
import io.sagaorchestrator.runtime.ThirdPartyUrls;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * The packaged service refuses to start until it has what its sagas need, rather than run an API nobody can
 * call (or one guarded by a default password), or accept sagas whose first call cannot be made. It checks the
 * datasource, the credentials, and the base URL (and the secrets and settings a call needs) of every third party a
 * loaded definition calls in a remote step (for the shipped definitions: TT), and names all that is missing in one
 * message. It runs before any other start-up bean, and reads the definitions without the database: a start without a
 * complete datasource keeps every datasource inactive ({@link LocalDefaults}), so nothing connects before this check.
 *
 * <p>The third parties of outbox steps (an SMS gateway, a CRM) may stay unconfigured: a service need not run every
 * shipped saga, and a start of a saga whose third party has no URL is refused with what to set
 * ({@link ThirdPartyUrls}), so none is accepted that could only fail. In the {@value LocalDefaults#DEMO_PROFILE}
 * profile TT is simulated; credentials are required in every packaged start.
 */
@Startup(Interceptor.Priority.PLATFORM_BEFORE)
@ApplicationScoped
@IfBuildProfile("prod")
public class RequiredConfiguration {

    static final String USERS = "quarkus.security.users.embedded.users.";
    /** Bearer tokens: an identity provider's issuer, or one fixed public key (docs/deploying.md, Security). */
    static final List<String> TOKEN_SETTINGS = List.of("quarkus.oidc.auth-server-url", "quarkus.oidc.public-key");

    private final Config config;
    private final ActionRegistry actions;
    private final DefinitionFiles definitions;

    RequiredConfiguration(Config config, ActionRegistry actions,
                          @ConfigProperty(name = "saga.definitions.dir") Optional<String> directory,
                          @ConfigProperty(name = "saga.definitions.include-examples", defaultValue = "false") boolean examples) {
        this.config = config;
        this.actions = actions;
        this.definitions = new DefinitionFiles(directory, examples);
    }

    @PostConstruct
    void check() {
        boolean credentials = StreamSupport.stream(config.getPropertyNames().spliterator(), false).anyMatch(name -> name.startsWith(USERS))
                || TOKEN_SETTINGS.stream().anyMatch(key -> config.getOptionalValue(key, String.class).isPresent());
        List<String> missing = new ArrayList<>(LocalDefaults.missingDatasource(LocalDefaultsConfigSourceFactory.lookupIn(config)));
        missing.addAll(missing(credentials, TtCheckSettings.withoutDerived(
                ThirdPartyUrls.missingForRemoteSteps(definitions.parse(actions), actions, config))));
        if (!missing.isEmpty()) {
            throw new MissingConfigurationException("The service cannot start without this configuration (see docs/deploying.md, Running the"
                    + " packaged service):\n  - " + String.join("\n  - ", missing));
        }
    }

    /** What a production start lacks, one line per setting, each naming what to set. */
    static List<String> missing(boolean credentials, Set<String> unconfiguredSettings) {
        List<String> missing = new ArrayList<>();
        if (!credentials) {
            missing.add("No credentials are configured, so nobody could use the API. Set at least one user, e.g."
                    + " QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE=<password> and"
                    + " QUARKUS_SECURITY_USERS_EMBEDDED_ROLES_ALICE=saga-client,saga-viewer,saga-operator,"
                    + " or an identity provider's issuer for bearer tokens and the console, QUARKUS_OIDC_AUTH_SERVER_URL (see"
                    + " docs/deploying.md, Security)");
        }
        for (String key : unconfiguredSettings) {
            missing.add("No value for " + ThirdPartyUrls.describe(key) + ", which a loaded saga definition needs in a remote step"
                    + " (before any local work). Set " + ThirdPartyUrls.envName(key) + " (" + key + "), or leave the definitions"
                    + " that call it out of saga.definitions.dir");
        }
        return missing;
    }
}
