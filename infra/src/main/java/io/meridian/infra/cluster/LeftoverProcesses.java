package io.meridian.infra.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Child processes of a local launcher, remembered in a file each, so that the next launcher on the same data can wait
 * for the leftovers of one that was killed ({@code kill -9}) before it starts their successors. A leftover still holds
 * what its successor needs: ports, the lock of a Kafka log directory or of a Streams state directory, a group member.
 * Children end themselves soon after their launcher is gone (they watch its pid), so the wait is normally short.
 *
 * <p>The file holds the child's pid and start time and its launcher's: a pid since reused by another process is never
 * taken for a leftover, and the children of a launcher that is still alive (this one, or another one wrongly started
 * on the same data) are never touched. Stateless; safe from any thread.
 */
public final class LeftoverProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverProcesses.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private LeftoverProcesses() {
    }

    /** Remembers {@code child}, started by this process, in {@code file}. */
    public static void record(Path file, ProcessHandle child) {
        Properties props = new Properties();
        props.setProperty("pid", Long.toString(child.pid()));
        props.setProperty("start", Long.toString(startMillis(child)));
        ProcessHandle launcher = ProcessHandle.current();
        props.setProperty("launcher.pid", Long.toString(launcher.pid()));
        props.setProperty("launcher.start", Long.toString(startMillis(launcher)));
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file)) {
                props.store(out, "a child process of a local launcher (see LeftoverProcesses)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * If {@code file} names a process still running whose launcher is gone, waits up to {@code patience} for it to
     * end, then kills it (SIGKILL). Returns at once when there is no such leftover.
     */
    public static void awaitGone(Path file, Duration patience) {
        Optional<ProcessHandle> leftover = leftover(file);
        if (leftover.isEmpty()) {
            return;
        }
        ProcessHandle process = leftover.get();
        LOG.info("pid {} ({}) outlived the launcher that started it; waiting up to {} s for it to end", process.pid(),
                file.getFileName(), patience.toSeconds());
        if (!awaitExit(process, patience)) {
            LOG.warn("pid {} ({}) still runs after {} s; killing it", process.pid(), file.getFileName(),
                    patience.toSeconds());
            process.destroyForcibly();
            awaitExit(process, KILL_WAIT);
        }
    }

    /** The process {@code file} names, if it still runs and its launcher does not. */
    static Optional<ProcessHandle> leftover(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring unreadable {}", file, e);
            return Optional.empty();
        }
        Optional<ProcessHandle> child = running(props, "pid", "start");
        if (child.isEmpty() || running(props, "launcher.pid", "launcher.start").isPresent()) {
            return Optional.empty();
        }
        return child;
    }

    /** The process of the recorded pid, if it runs and started when recorded (so it is not a reused pid). */
    private static Optional<ProcessHandle> running(Properties props, String pidKey, String startKey) {
        long pid;
        long start;
        try {
            pid = Long.parseLong(props.getProperty(pidKey, "-1"));
            start = Long.parseLong(props.getProperty(startKey, "-1"));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pid <= 0 || start <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> startMillis(p) == start);
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for pid " + process.pid() + " to end", e);
        }
    }
}
