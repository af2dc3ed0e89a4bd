package io.sagaorchestrator.examples.localdefaults;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the service fills in by itself when it is started without configuration, so that it runs
 * with nothing installed: an embedded PostgreSQL instead of a configured datasource, and the
 * built-in simulators instead of the third parties of the shipped sagas (TT's user API; the inventory, the
 * payment provider and the carrier of the order examples).
 *
 * <p>These demo parts serve dev mode, the tests and an explicit {@value #DEMO_PROFILE} profile only. Any other
 * start fails closed: without a complete datasource no datasource is activated, and {@link RequiredConfiguration}
 * refuses the start naming it with everything else that is missing, rather than keep its saga log in a database nobody
 * configured (and answer for users that exist nowhere).
 *
 * <p>Only decides; reads configuration solely through the lookup it is given, so the rules can be
 * tested without Quarkus.
 */
record LocalDefaults(Optional<EmbeddedDatabaseSettings> embeddedDatabase, Map<String, String> simulatorProperties,
                     Map<String, String> datasourcesHeldBack) {

    static final String DATASOURCE_URL = "quarkus.datasource.jdbc.url";
    static final String DATASOURCE_USERNAME = "quarkus.datasource.username";
    static final String DATASOURCE_PASSWORD = "quarkus.datasource.password";
    static final String EMBEDDED_ENABLED = "saga.embedded-database.enabled";
    static final String EMBEDDED_DATA_DIR = "saga.embedded-database.data-dir";
    static final String EMBEDDED_PORT = "saga.embedded-database.port";
    static final String TT_URL = "quarkus.rest-client.tt-user-api.url";
    static final String SIMULATOR_ENABLED = "tt.simulator.enabled";
    static final String APP_SECRET = "tt.app-secret";
    static final String DEMO_APP_SECRET = "local-demo-secret";
    /** The one switch that lets a packaged service use the demo parts: {@code QUARKUS_PROFILE=demo}. */
    static final String DEMO_PROFILE = "demo";
    private static final Set<String> PROFILES_WITH_DEMO_PARTS = Set.of("dev", "test", DEMO_PROFILE);

    /**
     * Every datasource of the service off, and what uses them at start-up (Hibernate ORM, Flyway), which Quarkus does
     * not switch off with them: nothing connects until the configuration is complete.
     */
    private static final Map<String, String> DATASOURCES_HELD_BACK = Map.of("quarkus.datasource.active", "false",
            "quarkus.datasource.\"reads\".active", "false", "quarkus.datasource.\"dispatch-listener\".active", "false",
            "quarkus.hibernate-orm.active", "false", "quarkus.flyway.active", "false");

    /**
     * A built-in stand-in for a third party, answering on the service's own port under {@code path} when {@code urlKey}
     * is not configured; {@code secretKey}, when the third party wants one, gets a demo value unless configured.
     */
    record Simulator(String thirdParty, String urlKey, String path, String switchKey, String secretKey, String demoSecret) {
    }

    static final List<Simulator> SIMULATORS = List.of(
            new Simulator("TT", TT_URL, "/tt-simulator", SIMULATOR_ENABLED, APP_SECRET, DEMO_APP_SECRET),
            new Simulator("inventory", "saga.http.inventory.url", "/shop-simulator/inventory", "shop.simulator.enabled", null, null),
            new Simulator("payments", "saga.http.payments.url", "/shop-simulator/payments", "shop.simulator.enabled",
                    "saga.secret.payments-api-key", "local-demo-payments-key"),
            new Simulator("shipping", "saga.http.shipping.url", "/shop-simulator/shipping", "shop.simulator.enabled", null, null));

    /** Where the embedded server keeps its data, and its port (0: any free one). */
    record EmbeddedDatabaseSettings(Path dataDir, int port) {
    }

    /**
     * @param profiles the active configuration profiles
     * @param config the configured value of a key, empty when it is not configured
     * @throws MissingConfigurationException when a production start lacks its datasource
     */
    static LocalDefaults decide(List<String> profiles, Function<String, Optional<String>> config) {
        if (!demoPartsAllowed(profiles)) {
            // nothing may connect with half a datasource (Flyway would fail first, on the first setting it lacks):
            // RequiredConfiguration then names all that is missing at once
            Map<String, String> heldBack = missingDatasource(config).isEmpty() ? Map.of() : DATASOURCES_HELD_BACK;
            return new LocalDefaults(Optional.empty(), Map.of(), heldBack);
        }
        return new LocalDefaults(embeddedDatabase(config), simulatorProperties(config), Map.of());
    }

    /** What a production start lacks of its datasource, one line naming what to set; empty when nothing. */
    static List<String> missingDatasource(Function<String, Optional<String>> config) {
        List<String> unset = Stream.of(DATASOURCE_URL, DATASOURCE_USERNAME, DATASOURCE_PASSWORD)
                .filter(key -> config.apply(key).isEmpty())
                .map(key -> key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + " (" + key + ")").toList();
        if (unset.isEmpty()) {
            return List.of();
        }
        return List.of("No complete datasource is configured, and a production start does not fall back to an embedded"
                + " database. Set " + String.join(", ", unset) + ", or start with QUARKUS_PROFILE=" + DEMO_PROFILE
                + " to try the service with an embedded database and the TT simulator (see docs/getting-started.md)");
    }

    static boolean demoPartsAllowed(List<String> profiles) {
        return profiles.stream().anyMatch(PROFILES_WITH_DEMO_PARTS::contains);
    }

    private static Optional<EmbeddedDatabaseSettings> embeddedDatabase(Function<String, Optional<String>> config) {
        if (config.apply(DATASOURCE_URL).isPresent() || !enabled(config)) {
            return Optional.empty();
        }
        Path dataDir = config.apply(EMBEDDED_DATA_DIR).map(Path::of).orElseGet(() -> defaultDataDir(config));
        return Optional.of(new EmbeddedDatabaseSettings(dataDir.toAbsolutePath().normalize(), port(config)));
    }

    private static boolean enabled(Function<String, Optional<String>> config) {
        String value = config.apply(EMBEDDED_ENABLED).orElse("true").trim();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(EMBEDDED_ENABLED + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private static Path defaultDataDir(Function<String, Optional<String>> config) {
        String home = config.apply("user.home").orElseThrow(() -> new IllegalStateException(
                "user.home is not set; set " + EMBEDDED_DATA_DIR + " to say where the embedded database keeps its data"));
        return Path.of(home, ".saga-orchestrator", "pgdata");
    }

    private static int port(Function<String, Optional<String>> config) {
        String value = config.apply(EMBEDDED_PORT).orElse("0").trim();
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below, with the key that holds it
        }
        throw new IllegalArgumentException(EMBEDDED_PORT + " must be a port from 0 (any free one) to 65535, not '" + value + "'");
    }

    private static Map<String, String> simulatorProperties(Function<String, Optional<String>> config) {
        Map<String, String> properties = new LinkedHashMap<>();
        String service = "http://localhost:" + config.apply("quarkus.http.port").orElse("8080");
        for (Simulator simulator : SIMULATORS) {
            if (config.apply(simulator.urlKey()).isPresent()) {
                continue;
            }
            properties.put(simulator.urlKey(), service + simulator.path());
            properties.put(simulator.switchKey(), "true");
            if (simulator.secretKey() != null && config.apply(simulator.secretKey()).isEmpty()) {
                properties.put(simulator.secretKey(), simulator.demoSecret());
            }
        }
        return Map.copyOf(properties);
    }
}
