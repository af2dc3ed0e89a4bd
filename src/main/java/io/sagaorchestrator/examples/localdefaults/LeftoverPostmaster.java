package io.sagaorchestrator.examples.localdefaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

/**
 * Clears what an earlier, killed run left in a data directory, which would otherwise stop the
 * embedded server from starting. zonky does not look: PostgreSQL refuses to start while
 * {@code postmaster.pid} names a live process, and zonky then only reports a startup timeout.
 * <ul>
 * <li>A server still running on the directory, whose JVM is gone (pg_ctl detaches the server, so it
 * outlives a JVM killed with SIGKILL): stopped.</li>
 * <li>A server still running on the directory for a live JVM (a second instance on the same data):
 * left alone, and this start refused with an explanation.</li>
 * <li>A pid file whose process is gone, or is now an unrelated program (pids are reused after a
 * crash or reboot): removed.</li>
 * </ul>
 */
final class LeftoverPostmaster {

    // zonky holds a lock on this file in the data directory for as long as its server runs.
    private static final String ZONKY_LOCK_FILE = "epg-lock";

    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

    private static final Logger LOG = Logger.getLogger(LeftoverPostmaster.class);

    private LeftoverPostmaster() {
    }

    static void clear(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> process = readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (process.isPresent() && process.get().info().command().isEmpty()) {
            return; // cannot be told apart from a live server: PostgreSQL itself decides, and says why
        }
        if (process.isPresent() && isPostgresOn(process.get(), dataDir)) {
            stopOrphan(process.get(), dataDir);
        } else {
            delete(pidFile);
            LOG.infof("Removed %s, left by a PostgreSQL that no longer runs", pidFile);
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException torn) {
            // a server killed while writing the file; nothing can run from it
            return Optional.empty();
        }
    }

    private static boolean isPostgresOn(ProcessHandle process, Path dataDir) {
        boolean postgres = process.info().command().map(c -> Path.of(c).getFileName().toString().equals("postgres")).orElse(false);
        String[] arguments = process.info().arguments().orElse(new String[0]);
        Path wanted = dataDir.toAbsolutePath().normalize();
        for (int i = 0; postgres && i + 1 < arguments.length; i++) {
            if (arguments[i].equals("-D") && Path.of(arguments[i + 1]).toAbsolutePath().normalize().equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static void stopOrphan(ProcessHandle postmaster, Path dataDir) {
        if (lockedByAnotherRun(dataDir)) {
            throw new IllegalStateException("The PostgreSQL data directory " + dataDir + " is in use by another running instance"
                    + " (pid " + postmaster.pid() + "): stop it, or give this one another data directory");
        }
        LOG.infof("Stopping the PostgreSQL (pid %d) that a killed earlier run left running on %s", postmaster.pid(), dataDir);
        // SIGINT is PostgreSQL's fast shutdown. Not pg_ctl: it refuses to run as root, where zonky wraps it in a user
        // namespace. Done when the server removes its pid file, which it does last.
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            int exit = new ProcessBuilder("kill", "-s", "INT", Long.toString(postmaster.pid())).inheritIO().start().waitFor();
            long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
            while (exit == 0 && Files.exists(pidFile) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            if (exit != 0 || Files.exists(pidFile)) {
                throw new IllegalStateException("Could not stop the PostgreSQL (pid " + postmaster.pid() + ") left running on " + dataDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the PostgreSQL left running on " + dataDir, e);
        }
    }

    private static boolean lockedByAnotherRun(Path dataDir) {
        try (FileChannel channel = FileChannel.open(dataDir.resolve(ZONKY_LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock == null;
        } catch (OverlappingFileLockException heldInThisJvm) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
