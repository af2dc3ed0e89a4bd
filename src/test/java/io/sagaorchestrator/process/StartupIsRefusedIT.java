package io.sagaorchestrator.process;

import io.sagaorchestrator.examples.localdefaults.LocalPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged service refuses to start when it could not keep its promises, and says why. */
class StartupIsRefusedIT {

    @Test
    void anUnknownActionStopsStartUpWithTheFileThePlaceAndTheFault() throws Exception {
        // given a definitions directory whose only file names an action that does not exist
        Path dir = Files.createDirectories(Path.of("target/it/bad-definitions"));
        Files.writeString(dir.resolve("typo.yaml"), """
                name: typo
                version: 1
                steps:
                  - name: tt-add-user
                    type: remote
                    action: ttAdUser
                    compensation: ttDeleteUser
                """);

        // when the service starts on it (with its embedded database, as a newcomer would run it)
        String output = refusedStart("bad-definition", Map.of(
                "quarkus.profile", "demo",
                "saga.definitions.dir", dir.toString(),
                "quarkus.security.users.embedded.users.demo", "demo",
                "saga.embedded-database.data-dir", "target/it/pg-bad-definition"));

        // then it exits with an error that names the file, the step and the fault
        // (the known actions are listed; which they are grows with the shipped sagas)
        assertTrue(output.contains("Invalid saga definition typo.yaml, line 6, steps[0] 'tt-add-user': action 'ttAdUser' is not a known"
                + " remote action (known: "), output);
        assertTrue(Pattern.compile("\\(known: [^)]*\\bttAddUser\\b[^)]*\\)").matcher(output).find(), output);
    }

    @Test
    void withoutAnyCredentialsThePackagedServiceRefusesToStartAndSaysWhatToSet() throws Exception {
        // given no user and no JWT key configured, even in the demo profile
        // when it starts
        String output = refusedStart("no-credentials", Map.of(
                "quarkus.profile", "demo",
                "saga.embedded-database.data-dir", "target/it/pg-no-credentials"));

        // then it stops with a message naming the settings
        assertTrue(output.contains("No credentials are configured")
                && output.contains("QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE"), output);
    }

    @Test
    void aStartMissingSeveralSettingsNamesThemAllInOneMessageBeforeAnythingConnects() throws Exception {
        // given a production start with a database that wants a password, its URL and user but not its password, and
        // neither TT's URL nor its secret, nor any user
        LocalPostgres database = throwawayDatabase("half-configured");
        // when it starts
        String output = refusedStart("half-configured", Map.of(
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", LocalPostgres.USER,
                "saga.embedded-database.data-dir", "target/it/pg-must-not-exist"));

        // then one message names every missing setting, with what to set
        assertEquals(1, output.split("The service cannot start without this configuration", -1).length - 1, output);
        for (String setting : new String[] {"QUARKUS_DATASOURCE_PASSWORD", "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE",
                "QUARKUS_REST_CLIENT_TT_USER_API_URL", "TT_APP_SECRET"}) {
            assertTrue(output.contains(setting), setting + " is not named:\n" + output);
        }
        // and nothing connected first: neither Flyway's nor Quarkus's own message about a single setting came before it
        assertFalse(output.contains("SCRAM") || output.contains("Failed to load config value"), output);
    }

    @Test
    void withoutDatasourceThePackagedServiceRefusesToStartInsteadOfRunningOnDemoParts() throws Exception {
        // given a production start with users but no datasource and no TT URL
        // when it starts
        String output = refusedStart("no-datasource", Map.of(
                "quarkus.security.users.embedded.users.alice", "secret",
                "saga.embedded-database.data-dir", "target/it/pg-must-not-exist"));

        // then it stops naming the datasource settings and the demo switch, and starts no database
        assertTrue(output.contains("No complete datasource is configured") && output.contains("QUARKUS_DATASOURCE_JDBC_URL")
                && output.contains("QUARKUS_PROFILE=demo"), output);
        assertFalse(Files.exists(Path.of("target/it/pg-must-not-exist")), "an embedded database was started");
    }

    @Test
    void withoutTheUrlOfTheThirdPartyASagaCallsFirstThePackagedServiceRefusesToStart() throws Exception {
        // given a production start with users and a datasource, but no URL for TT (called first by user-sync),
        // nor for the SMS gateway (called by an outbox step: it may stay unconfigured)
        LocalPostgres database = throwawayDatabase("no-third-party");
        // when it starts
        String output = refusedStart("no-third-party", Map.of(
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", LocalPostgres.USER,
                "quarkus.datasource.password", database.password(),
                "tt.app-secret", "secret",
                "quarkus.security.users.embedded.users.alice", "secret"));

        // then it stops and names TT's URL, the one it cannot work without
        assertTrue(output.contains("QUARKUS_REST_CLIENT_TT_USER_API_URL"), output);
        assertFalse(output.contains("SAGA_HTTP_SMS_API_URL"), output);
    }

    @Test
    void aWebhookWithoutASecretRefusesStartUpAndSaysWhatToSet() throws Exception {
        // given an escalation webhook but no secret to sign its alerts with
        // when it starts
        String output = refusedStart("webhook-without-secret", Map.of(
                "quarkus.profile", "demo",
                "quarkus.security.users.embedded.users.demo", "demo",
                "saga.escalation.webhook-url", "http://127.0.0.1:9/alerts",
                "saga.embedded-database.data-dir", "target/it/pg-webhook-without-secret"));

        // then it stops with a message naming the setting
        assertTrue(output.contains("saga.escalation.webhook-secret is not") && output.contains("SAGA_ESCALATION_WEBHOOK_SECRET"),
                output);
    }

    /** A PostgreSQL of its own for one test, wanting a password as a production one does. */
    private static LocalPostgres throwawayDatabase(String name) {
        return LocalPostgres.start(Path.of("target/it/pg-" + name).toAbsolutePath(), 0, LocalPostgres.Data.THROWAWAY);
    }

    /** Starts the packaged service, expects it to stop by itself with a non-zero exit, and returns what it printed. */
    private static String refusedStart(String name, Map<String, String> properties) throws InterruptedException {
        try (ServiceProcess service = ServiceProcess.start(name, ServiceProcess.freePort(), properties)) {
            assertNotEquals(0, service.awaitExit(Duration.ofSeconds(90)));
            return service.output();
        }
    }
}
