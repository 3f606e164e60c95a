package io.meridian.infra.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which recorded children count as leftovers of a dead launcher, and that those are ended. Real processes. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class LeftoverProcessesTest {
    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void shouldEndAChildWhoseLauncherIsGone() throws Exception {
        child = sleeper();
        Path file = dir.resolve("node.pid");
        write(file, child.toHandle(), deadProcess());

        assertEquals(Optional.of(child.pid()), LeftoverProcesses.leftover(file).map(ProcessHandle::pid));
        LeftoverProcesses.awaitGone(file, Duration.ofMillis(100));

        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the leftover was killed");
    }

    @Test
    void shouldLeaveTheChildrenOfALiveLauncherAlone() throws Exception {
        child = sleeper();
        Path file = dir.resolve("node.pid");
        LeftoverProcesses.record(file, child.toHandle());  // launched by this (live) process

        assertTrue(LeftoverProcesses.leftover(file).isEmpty());
        LeftoverProcesses.awaitGone(file, Duration.ofMillis(100));
        assertTrue(child.isAlive());
    }

    @Test
    void shouldNotTakeAReusedPidForALeftover() throws Exception {
        child = sleeper();
        Path file = dir.resolve("node.pid");
        write(file, child.toHandle(), deadProcess());
        Properties props = read(file);
        props.setProperty("start", Long.toString(Long.parseLong(props.getProperty("start")) - 60_000));
        store(file, props);

        assertTrue(LeftoverProcesses.leftover(file).isEmpty());
        assertTrue(child.isAlive());
    }

    @Test
    void shouldIgnoreMissingAndUnreadableFiles() throws IOException {
        assertTrue(LeftoverProcesses.leftover(dir.resolve("none.pid")).isEmpty());
        Path garbage = dir.resolve("garbage.pid");
        Files.writeString(garbage, "pid=abc\nstart=\\u12");
        assertTrue(LeftoverProcesses.leftover(garbage).isEmpty());
    }

    private static Process sleeper() throws IOException {
        return new ProcessBuilder("sleep", "600").start();
    }

    /** A handle on a process that has ended: its pid and start time can no longer match a running process. */
    private static ProcessHandle deadProcess() throws Exception {
        Process done = new ProcessBuilder("true").start();
        ProcessHandle handle = done.toHandle();
        done.waitFor();
        assertFalse(handle.isAlive());
        return handle;
    }

    private static void write(Path file, ProcessHandle child, ProcessHandle launcher) throws IOException {
        Properties props = new Properties();
        props.setProperty("pid", Long.toString(child.pid()));
        props.setProperty("start", Long.toString(child.info().startInstant().map(Instant::toEpochMilli).orElseThrow()));
        props.setProperty("launcher.pid", Long.toString(launcher.pid()));
        props.setProperty("launcher.start", "1");
        store(file, props);
    }

    private static Properties read(Path file) throws IOException {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        return props;
    }

    private static void store(Path file, Properties props) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, null);
        }
    }
}
