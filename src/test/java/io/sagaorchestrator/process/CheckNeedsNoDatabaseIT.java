package io.sagaorchestrator.process;

import io.sagaorchestrator.check.CheckCommandTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar quarkus-run.jar check} is the packaged service's own command: it reads the definitions and the action
 * beans and prints every failure point, with no database, no network and none of the settings a start requires, so a
 * user can put it in their CI.
 */
class CheckNeedsNoDatabaseIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private record Run(int exit, String output, long millis) {
    }

    private static Run check(String... args) throws IOException, InterruptedException {
        return checkIn(Path.of("."), args);
    }

    private static Run checkIn(Path workingDirectory, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString(), "check"));
        command.addAll(List.of(args));
        long started = System.nanoTime();
        // nothing is configured: a start of the service with this environment is refused (StartupIsRefusedIT)
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("SAGA_"));
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
        return new Run(p.exitValue(), output, (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void theShippedDefinitionsAreCheckedWithoutStartingTheService() throws Exception {
        // given the packaged service and no configuration at all; when check runs on the shipped definitions
        Run run = check("saga-definitions");

        // then it prints the matrices and succeeds, and nothing of the service started (no database, no missing setting)
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("user-sync v"), run.output());
        assertTrue(run.output().contains("definitions checked"), run.output());
        assertFalse(run.output().contains("cannot start without this configuration"), run.output());
        assertFalse(run.output().contains("Quarkus"), run.output());
        System.out.printf("check of the shipped definitions took %d ms%n", run.millis());
    }

    @Test
    void withoutADirectoryWhereThereIsNoneTheDefinitionsTheJarShipsAreChecked() throws Exception {
        // given a working directory without saga-definitions/, as in the service's container
        Path elsewhere = Files.createDirectories(Path.of("target/it/check-elsewhere"));

        // when check runs there without a directory
        Run run = checkIn(elsewhere);

        // then it checks the definitions in the jar
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("user-sync v") && run.output().contains("(user-sync.yaml)"), run.output());
    }

    @Test
    void aDefinitionWithALintFailsTheCheckForTheUsersCi() throws Exception {
        // given a definition whose compensation reads an answer that may be lost
        Path dir = Files.createDirectories(Path.of("target/it/check-lint"));
        Files.writeString(dir.resolve("refund.yaml"), CheckCommandTest.REFUND_READING_A_LOST_ANSWER);

        // when check runs on it, then it exits 1 and names file, line and rule
        Run run = check(dir.toString());
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains(dir.resolve("refund.yaml") + ":8: compensation-reads-unrecorded-output"), run.output());
    }
}
