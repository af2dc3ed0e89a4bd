package io.sagaorchestrator.examples.localdefaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class LocalDefaultsConfigSourceFactoryTest {

    private static final String HOME = "/home/someone";

    @Test
    void withoutDatasourceUrlAnEmbeddedDatabaseKeepsItsDataInTheHomeDirectoryOnAnyFreePort() {
        Map<String, String> config = Map.of("user.home", HOME);

        LocalDefaults defaults = decide(config);

        assertEquals(Optional.of(new LocalDefaults.EmbeddedDatabaseSettings(Path.of(HOME, ".saga-orchestrator", "pgdata"), 0)),
                defaults.embeddedDatabase());
    }

    @Test
    void configuredDataDirectoryAndPortAreUsed() {
        Map<String, String> config = Map.of("user.home", HOME,
                "saga.embedded-database.data-dir", "/var/lib/saga/pgdata",
                "saga.embedded-database.port", "55432");

        LocalDefaults defaults = decide(config);

        assertEquals(Optional.of(new LocalDefaults.EmbeddedDatabaseSettings(Path.of("/var/lib/saga/pgdata"), 55432)),
                defaults.embeddedDatabase());
    }

    @Test
    void aConfiguredDatasourceUrlMeansNoEmbeddedDatabase() {
        Map<String, String> config = Map.of("user.home", HOME, "quarkus.datasource.jdbc.url", "jdbc:postgresql://db:5432/saga");

        LocalDefaults defaults = decide(config);

        assertEquals(Optional.empty(), defaults.embeddedDatabase());
    }

    @Test
    void aDisabledEmbeddedDatabaseIsNotStartedEvenWithoutDatasourceUrl() {
        Map<String, String> config = Map.of("user.home", HOME, "saga.embedded-database.enabled", "FALSE");

        LocalDefaults defaults = decide(config);

        assertEquals(Optional.empty(), defaults.embeddedDatabase());
    }

    @Test
    void aMistypedSwitchOrPortIsRejectedRatherThanGuessed() {
        Map<String, String> badSwitch = Map.of("user.home", HOME, "saga.embedded-database.enabled", "no");
        Map<String, String> badPort = Map.of("user.home", HOME, "saga.embedded-database.port", "65536");

        IllegalArgumentException switchError = assertThrows(IllegalArgumentException.class, () -> decide(badSwitch));
        IllegalArgumentException portError = assertThrows(IllegalArgumentException.class, () -> decide(badPort));

        assertTrue(switchError.getMessage().contains("saga.embedded-database.enabled"), switchError.getMessage());
        assertTrue(portError.getMessage().contains("saga.embedded-database.port"), portError.getMessage());
    }

    @Test
    void withoutThirdPartyUrlsTheSimulatorsOnTheServicesOwnPortAnswerWithDemoSecrets() {
        Map<String, String> config = Map.of("user.home", HOME, "quarkus.http.port", "9090");

        LocalDefaults defaults = decide(config);

        assertEquals(Map.of(
                "quarkus.rest-client.tt-user-api.url", "http://localhost:9090/tt-simulator",
                "tt.simulator.enabled", "true",
                "tt.app-secret", "local-demo-secret",
                "saga.http.inventory.url", "http://localhost:9090/shop-simulator/inventory",
                "saga.http.payments.url", "http://localhost:9090/shop-simulator/payments",
                "saga.http.shipping.url", "http://localhost:9090/shop-simulator/shipping",
                "shop.simulator.enabled", "true",
                "saga.secret.payments-api-key", "local-demo-payments-key"), defaults.simulatorProperties());
    }

    @Test
    void theSimulatorUrlAssumesPort8080WhenNoneIsConfiguredAndKeepsAConfiguredSecret() {
        Map<String, String> config = Map.of("user.home", HOME, "tt.app-secret", "real-secret",
                "saga.http.inventory.url", "https://inventory.example.com", "saga.http.payments.url", "https://pay.example.com",
                "saga.http.shipping.url", "https://ship.example.com");

        LocalDefaults defaults = decide(config);

        assertEquals(Map.of(
                "quarkus.rest-client.tt-user-api.url", "http://localhost:8080/tt-simulator",
                "tt.simulator.enabled", "true"), defaults.simulatorProperties());
    }

    @Test
    void configuredThirdPartyUrlsMeanNoSimulator() {
        Map<String, String> config = Map.of("user.home", HOME, "quarkus.rest-client.tt-user-api.url", "https://tt.example.com",
                "saga.http.inventory.url", "https://inventory.example.com", "saga.http.payments.url", "https://pay.example.com",
                "saga.http.shipping.url", "https://ship.example.com");

        LocalDefaults defaults = decide(config);

        assertEquals(Map.of(), defaults.simulatorProperties());
    }

    @Test
    void theFactorySeesKeysOfTheActiveProfileOnly() {
        Map<String, String> properties = Map.of(
                "%test.saga.embedded-database.enabled", "false",
                "%dev.quarkus.rest-client.tt-user-api.url", "http://dev-tt",
                "%test.quarkus.http.port", "8081");

        LocalDefaults defaults = decideThroughSmallRye("test", properties);

        assertEquals(Optional.empty(), defaults.embeddedDatabase());
        assertEquals("http://localhost:8081/tt-simulator", defaults.simulatorProperties().get("quarkus.rest-client.tt-user-api.url"));
    }

    @Test
    void aProductionStartWithoutACompleteDatasourceConnectsNothingAndNamesEverySettingItLacks() {
        // given the packaged service's profile, a datasource URL but neither its user nor its password, and no TT URL
        Map<String, String> config = Map.of("user.home", HOME, "quarkus.datasource.jdbc.url", "jdbc:postgresql://db:5432/saga");

        // when it decides
        LocalDefaults defaults = decide(List.of("prod"), config);

        // then no embedded database and no simulator stand in, and every datasource stays inactive, so that nothing
        // connects before RequiredConfiguration refuses the start
        assertEquals(Optional.empty(), defaults.embeddedDatabase());
        assertEquals(Map.of(), defaults.simulatorProperties());
        assertEquals("false", defaults.datasourcesHeldBack().get("quarkus.datasource.active"));
        assertEquals("false", defaults.datasourcesHeldBack().get("quarkus.datasource.\"reads\".active"));
        assertEquals("false", defaults.datasourcesHeldBack().get("quarkus.datasource.\"dispatch-listener\".active"));
        // and what is missing is said in one line, each setting named, with the demo switch
        List<String> missing = LocalDefaults.missingDatasource(name -> Optional.ofNullable(config.get(name)));
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.get(0).contains("QUARKUS_DATASOURCE_USERNAME") && missing.get(0).contains("QUARKUS_DATASOURCE_PASSWORD")
                && !missing.get(0).contains("QUARKUS_DATASOURCE_JDBC_URL") && missing.get(0).contains("QUARKUS_PROFILE=demo"),
                missing.get(0));
    }

    @Test
    void aProductionStartWithDatasourceButNoTtUrlGetsNoSimulator() {
        // given production with a complete datasource and no TT URL
        Map<String, String> config = Map.of("user.home", HOME, "quarkus.datasource.jdbc.url", "jdbc:postgresql://db:5432/saga",
                "quarkus.datasource.username", "saga", "quarkus.datasource.password", "secret");

        // when it decides
        LocalDefaults defaults = decide(List.of("prod"), config);

        // then nothing is filled in and nothing held back: the missing TT URL is refused later, with the other third
        // parties (RequiredConfiguration)
        assertEquals(Optional.empty(), defaults.embeddedDatabase());
        assertEquals(Map.of(), defaults.simulatorProperties());
        assertEquals(Map.of(), defaults.datasourcesHeldBack());
    }

    @Test
    void theDemoProfileIsTheOneSwitchThatGivesAPackagedServiceTheDemoParts() {
        // given the packaged service started with QUARKUS_PROFILE=demo (also beside another profile) and nothing else
        Map<String, String> config = Map.of("user.home", HOME);

        // when it decides
        LocalDefaults demo = decide(List.of("demo"), config);
        LocalDefaults prodAndDemo = decide(List.of("prod", "demo"), config);

        // then it gets the embedded database and the simulator, as in dev mode
        assertTrue(demo.embeddedDatabase().isPresent());
        assertEquals("true", demo.simulatorProperties().get("tt.simulator.enabled"));
        assertTrue(prodAndDemo.embeddedDatabase().isPresent());
    }

    @Test
    void theFactorySeesADatasourceUrlGivenForTheActiveProfile() {
        Map<String, String> properties = Map.of("%prod.quarkus.datasource.jdbc.url", "jdbc:postgresql://db:5432/saga");

        LocalDefaults defaults = decideThroughSmallRye("prod", properties);

        assertEquals(Optional.empty(), defaults.embeddedDatabase());
    }

    @Test
    void whileQuarkusAugmentsTheApplicationTheFactoryGivesNothingAndStartsNothing() {
        // Outside a running Quarkus application the execution mode is UNSET, as during the build.
        Map<String, String> properties = Map.of("saga.embedded-database.data-dir", Path.of("target", "must-stay-absent", "pgdata").toString());
        List<ConfigSource> produced = new ArrayList<>();

        new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                .withSources((ConfigSourceContext context) -> {
                    new LocalDefaultsConfigSourceFactory().getConfigSources(context).forEach(produced::add);
                    return List.of();
                })
                .build();

        assertEquals(List.of(), produced);
        assertFalse(Path.of("target", "must-stay-absent").toFile().exists());
    }

    private static LocalDefaults decide(Map<String, String> config) {
        return decide(List.of("dev"), config);
    }

    private static LocalDefaults decide(List<String> profiles, Map<String, String> config) {
        return LocalDefaults.decide(profiles, name -> Optional.ofNullable(config.get(name)));
    }

    /** Decides with the lookup the factory uses, inside a real SmallRye configuration with the given profile. */
    private static LocalDefaults decideThroughSmallRye(String profile, Map<String, String> properties) {
        Map<String, String> withHome = new HashMap<>(properties);
        withHome.put("user.home", HOME);
        AtomicReference<LocalDefaults> decided = new AtomicReference<>();
        new SmallRyeConfigBuilder()
                .withProfile(profile)
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(withHome, "application.properties", 250))
                .withSources((ConfigSourceContext context) -> {
                    decided.set(LocalDefaults.decide(context.getProfiles(), LocalDefaultsConfigSourceFactory.lookupIn(context)));
                    return List.of();
                })
                .build();
        return decided.get();
    }
}
