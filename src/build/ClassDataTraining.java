import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Writes the class-data archive of docker/jvm.options from a start that goes all the way: the packaged jar runs in the
 * demo profile (its embedded PostgreSQL and simulators, in a data folder made for this run and removed after it),
 * migrates the schema, answers readiness and runs a few user-sync sagas, one of them undone and checked; then it is
 * stopped (SIGTERM), and the JVM writes every class it loaded and linked to the archive as it exits. A start that stops
 * earlier leaves out what a production start loads next (Hibernate's persistence unit, Flyway's migrations, the driver's
 * statements, the engine's run), about 7,000 classes, which each production start then reads, verifies and defines.
 *
 * <p>Run by the package phase (pom.xml, execution app-cds) as a single-file program:
 * {@code java src/build/ClassDataTraining.java <java> <jar> <archive> <work folder> <log>}. It exits non-zero when the
 * training start fails; the build then goes on, and a start without the archive is only slower.
 */
public class ClassDataTraining {

    private static final Duration READY_WITHIN = Duration.ofMinutes(3);
    private static final String USER = "cds-training";

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: ClassDataTraining <java> <jar> <archive> <work folder> <log>");
        }
        Path archive = Path.of(args[2]);
        Path dataDir = Path.of(args[3], "app-cds-training");
        Files.deleteIfExists(archive);
        deleteTree(dataDir);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ProcessBuilder start = new ProcessBuilder(args[0], "-XX:ArchiveClassesAtExit=" + archive,
                "-Dquarkus.http.port=" + port,
                "-Dsaga.embedded-database.data-dir=" + dataDir.resolve("pgdata"), "-Dsaga.embedded-database.port=0",
                "-Dquarkus.security.users.embedded.users." + USER + "=" + USER,
                "-Dquarkus.security.users.embedded.roles." + USER + "=saga-client",
                "-jar", args[1])
                .redirectErrorStream(true).redirectOutput(Path.of(args[4]).toFile());
        // nothing of the builder's environment (a datasource, TT's URL) may reach the training start: demo parts only
        Map<String, String> env = start.environment();
        Map<String, String> kept = new java.util.HashMap<>();
        for (String name : List.of("PATH", "HOME", "TMPDIR", "LANG")) {
            if (env.containsKey(name)) {
                kept.put(name, env.get(name));
            }
        }
        env.clear();
        env.putAll(kept);
        env.put("QUARKUS_PROFILE", "demo");

        Process service = start.start();
        // stopped by the build's timeout, this program must not leave the training start running
        Runtime.getRuntime().addShutdownHook(new Thread(service::destroyForcibly));
        try {
            String base = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(http, base, service);
            List<String> answers = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                answers.add(startUserSync(http, base, "Training " + i, "1380000000" + i));
            }
            // the same phone again: the local save fails, the TT user is deleted and the delete checked
            answers.add(startUserSync(http, base, "Training again", "13800000001"));
            answers.forEach(a -> System.out.println("training saga: " + a));
        } finally {
            service.destroy();
            if (!service.waitFor(2, TimeUnit.MINUTES)) {
                service.destroyForcibly();
                throw new IllegalStateException("the training start did not stop within 2 minutes of SIGTERM");
            }
            try {
                deleteTree(dataDir);
            } catch (IOException e) {
                System.out.println("could not remove " + dataDir + ": " + e);
            }
        }
        if (!Files.exists(archive)) {
            throw new IllegalStateException("the training start exited without writing " + archive + ": see " + args[4]);
        }
        System.out.println("class-data archive written: " + archive + " (" + Files.size(archive) / (1024 * 1024) + " MB)");
    }

    private static void awaitReady(HttpClient http, String base, Process service) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the training start exited with " + service.exitValue() + " before it was ready");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the HTTP server opens last
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the training start was not ready within " + READY_WITHIN);
    }

    private static String startUserSync(HttpClient http, String base, String name, String phone)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/sagas/user-sync?wait=30"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((USER + ":" + USER).getBytes()))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\",\"roleIds\":[3]}"))
                .build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() + " " + answer.body();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
