package io.sagaorchestrator.examples.localdefaults;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverPostmasterTest {

    @TempDir
    Path dataDir;

    @Test
    void aPidFileOfAProcessThatIsGoneIsRemoved() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path pidFile = writePidFile(finished.pid());

        LeftoverPostmaster.clear(dataDir);

        assertFalse(Files.exists(pidFile));
    }

    @Test
    void aPidFileWhosePidNowBelongsToAnotherProgramIsRemoved() throws Exception {
        // PostgreSQL would refuse to start while the pid is alive, whatever runs under it now.
        Path pidFile = writePidFile(ProcessHandle.current().pid());

        LeftoverPostmaster.clear(dataDir);

        assertFalse(Files.exists(pidFile));
    }

    @Test
    void aDataDirectoryWithoutPidFileIsLeftAsItIs() throws Exception {
        Path config = Files.writeString(dataDir.resolve("postgresql.conf"), "# kept\n");

        LeftoverPostmaster.clear(dataDir);

        assertTrue(Files.exists(config));
        assertFalse(Files.exists(dataDir.resolve("postmaster.pid")));
    }

    /** The first lines of a real postmaster.pid: pid, data directory, start time, port. */
    private Path writePidFile(long pid) throws IOException {
        return Files.writeString(dataDir.resolve("postmaster.pid"), pid + "\n" + dataDir + "\n1795634658\n54777\n");
    }
}
