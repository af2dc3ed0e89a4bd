package io.sagaorchestrator.localdefaults;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.Startup;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.engine.ActionRegistry;
import io.smallrye.config.SmallRyeConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The packaged service refuses to start until it has what its sagas need, rather than run an API nobody can
 * call (or one guarded by a default password), or accept sagas whose third party it cannot reach. It checks
 * the credentials and the base URL of every REST client that an action of a loaded definition injects, and names
 * all that is missing at once. (The datasource is checked earlier, by {@link LocalDefaults}: nothing starts without it.)
 *
 * <p>In the {@value LocalDefaults#DEMO_PROFILE} profile the third parties are not required: TT is simulated, and
 * a demo need not reach an SMS gateway. Credentials are, in every packaged start.
 */
@Startup
@ApplicationScoped
@IfBuildProfile("prod")
public class RequiredConfiguration {

    static final String USERS = "quarkus.security.users.embedded.users.";
    static final String JWT_KEY = "mp.jwt.verify.publickey";

    private final Config config;
    private final DefinitionRegistry definitions;
    private final ActionRegistry actions;

    RequiredConfiguration(Config config, DefinitionRegistry definitions, ActionRegistry actions) {
        this.config = config;
        this.definitions = definitions;
        this.actions = actions;
    }

    @PostConstruct
    void check() {
        boolean credentials = StreamSupport.stream(config.getPropertyNames().spliterator(), false)
                .anyMatch(name -> name.startsWith(USERS) || name.startsWith(JWT_KEY));
        boolean demo = LocalDefaults.demoPartsAllowed(config.unwrap(SmallRyeConfig.class).getProfiles());
        List<String> missing = missing(credentials, demo ? Set.of() : thirdParties(), this::configured);
        if (!missing.isEmpty()) {
            throw new MissingConfigurationException("The service cannot start without this configuration (see README, Running it"
                    + " for real):\n  - " + String.join("\n  - ", missing));
        }
    }

    /** What a production start lacks, one line per setting, each naming what to set. */
    static List<String> missing(boolean credentials, Set<String> thirdParties, Predicate<String> configured) {
        List<String> missing = new ArrayList<>();
        if (!credentials) {
            missing.add("No credentials are configured, so nobody could use the API. Set at least one user, e.g."
                    + " QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE=<password> and"
                    + " QUARKUS_SECURITY_USERS_EMBEDDED_ROLES_ALICE=saga-client,saga-viewer,saga-operator,"
                    + " or bearer JWT with MP_JWT_VERIFY_PUBLICKEY_LOCATION and MP_JWT_VERIFY_ISSUER (see README, Security)");
        }
        for (String thirdParty : thirdParties) {
            String key = urlKey(thirdParty);
            if (!configured.test(key)) {
                missing.add("No URL for the third party '" + thirdParty + "', which a loaded saga definition calls. Set "
                        + envName(key) + " (" + key + "), or leave the definitions that call it out of saga.definitions.dir");
            }
        }
        return missing;
    }

    static String urlKey(String thirdParty) {
        return "quarkus.rest-client." + thirdParty + ".url";
    }

    private static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private Set<String> thirdParties() {
        Set<String> thirdParties = new TreeSet<>();
        for (SagaDefinition definition : definitions.all()) {
            for (StepDefinition step : definition.steps()) {
                if (step.kind().callsThirdParty()) {
                    Stream.of(step.action(), step.compensation()).filter(name -> name != null)
                            .forEach(name -> thirdParties.addAll(restClientsOf(actions.remoteImplementation(name))));
                }
            }
        }
        return thirdParties;
    }

    /**
     * The config keys of the REST clients a class injects. Read from the class, because creating the action would
     * create its clients, which fail on a missing URL with a message that names only one of them.
     */
    static Set<String> restClientsOf(Class<?> action) {
        Stream<Class<?>> injected = Stream.concat(
                Stream.of(action.getDeclaredConstructors()).flatMap(constructor -> Stream.of(constructor.getParameterTypes())),
                Stream.of(action.getDeclaredFields()).map(Field::getType));
        Set<String> keys = new TreeSet<>();
        injected.filter(type -> type.isAnnotationPresent(RegisterRestClient.class)).forEach(client -> {
            String key = client.getAnnotation(RegisterRestClient.class).configKey();
            keys.add(key.isBlank() ? client.getName() : key);
        });
        return keys;
    }

    private boolean configured(String urlKey) {
        // the REST client also takes its base URL as .uri
        return Stream.of(urlKey, urlKey.substring(0, urlKey.length() - "url".length()) + "uri")
                .anyMatch(key -> config.getOptionalValue(key, String.class).filter(value -> !value.isBlank()).isPresent());
    }
}
