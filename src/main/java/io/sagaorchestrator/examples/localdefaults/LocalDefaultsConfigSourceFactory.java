package io.sagaorchestrator.examples.localdefaults;

import io.sagaorchestrator.examples.usersync.TtCheckSettings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Lets the service start with nothing installed or configured in dev mode, tests and the demo profile:
 * supplies an embedded PostgreSQL and the built-in TT simulator when their real counterparts are not
 * configured; keeps every datasource of a production start without a complete one inactive, so that nothing connects
 * before {@link RequiredConfiguration} has named all that is missing (see {@link LocalDefaults} for the rules); and, in
 * every profile, derives the settings of user-sync's check of its compensation from TT's ({@link TtCheckSettings}). A
 * factory rather than a plain config source because it has to see the rest of the configuration, profiles included,
 * to decide.
 */
public final class LocalDefaultsConfigSourceFactory implements ConfigSourceFactory {

    /** Below application.properties (250), environment (300) and system properties (400): anything configured wins. */
    static final int ORDINAL = 100;

    private static final Logger LOG = Logger.getLogger(LocalDefaultsConfigSourceFactory.class);

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        // Quarkus also builds the configuration while it augments the application: at build time, and before every
        // test and dev-mode start. Starting a database then would be wasted, and values given then are recorded in
        // the build as if they were configured.
        if (ExecutionMode.current() == ExecutionMode.UNSET) {
            return List.of();
        }
        LocalDefaults defaults = LocalDefaults.decide(context.getProfiles(), lookupIn(context));
        Map<String, String> properties = new HashMap<>(defaults.simulatorProperties());
        properties.putAll(defaults.datasourcesHeldBack());
        defaults.embeddedDatabase().ifPresent(database -> properties.putAll(EmbeddedDatabase.connectionProperties(database)));
        // in every profile: user-sync's check of its compensation calls TT with the settings TT is configured with
        properties.putAll(TtCheckSettings.derived(lookupIn(context), defaults.simulatorProperties()));
        for (LocalDefaults.Simulator simulator : LocalDefaults.SIMULATORS) {
            String url = defaults.simulatorProperties().get(simulator.urlKey());
            if (url != null) {
                LOG.infof("No %s configured: the built-in %s simulator at %s answers instead (for trying the service out,"
                        + " never for production)", simulator.urlKey(), simulator.thirdParty(), url);
            }
        }
        if (properties.isEmpty()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(properties, "saga local defaults", ORDINAL));
    }

    /**
     * Reads the configuration as the application will see it: the context resolves profile-specific keys
     * ({@code %test.key}) and expressions across all sources except other factories.
     */
    static Function<String, Optional<String>> lookupIn(ConfigSourceContext context) {
        return name -> Optional.ofNullable(context.getValue(name).getValue()).filter(value -> !value.isBlank());
    }

    /** The same reading of the application's configuration, once it is built. */
    static Function<String, Optional<String>> lookupIn(Config config) {
        return name -> config.getOptionalValue(name, String.class).filter(value -> !value.isBlank());
    }
}
