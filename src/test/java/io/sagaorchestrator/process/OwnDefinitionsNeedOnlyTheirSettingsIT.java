package io.sagaorchestrator.process;

import io.sagaorchestrator.examples.localdefaults.LocalPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A deployment running only sagas of its own is asked only for what they call, as the README promises. */
class OwnDefinitionsNeedOnlyTheirSettingsIT {

    @Test
    void aFolderOfSagasThatNeverCallTtStartsInProductionWithoutTtsSecretOrUrl() throws Exception {
        // given a definitions folder whose only saga calls a CRM, configured, and never TT
        Path dir = Files.createDirectories(Path.of("target/it/own-definitions"));
        Files.writeString(dir.resolve("push-contact.yaml"), """
                name: push-contact
                version: 1
                steps:
                  - name: push
                    type: remote
                    http: { method: POST, target: own-crm, path: /contacts }
                    compensation: { http: { method: DELETE, target: own-crm, path: /contacts } }
                """);
        LocalPostgres database = LocalPostgres.start(Path.of("target/it/pg-own-definitions").toAbsolutePath(), 0,
                LocalPostgres.Data.THROWAWAY);

        // when the packaged service starts on it in production, with no tt.app-secret and no TT URL
        try (ServiceProcess service = ServiceProcess.start("own-definitions", ServiceProcess.freePort(), Map.of(
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", LocalPostgres.USER,
                "quarkus.datasource.password", database.password(),
                "saga.definitions.dir", dir.toString(),
                "saga.http.own-crm.url", "http://127.0.0.1:9/crm",
                "quarkus.security.users.embedded.users.alice", "secret",
                "quarkus.security.users.embedded.roles.alice", "saga-client"))) {

            // then it becomes ready, and says that the shipped definitions are not loaded
            service.awaitReady(Duration.ofSeconds(120));
            assertTrue(service.output().contains("(saga.definitions.dir: the definitions shipped in the jar are not loaded):"
                    + " [push-contact]"), service.output());
        }
    }
}
