package io.meridian.chaos.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signals to the processes the harness started: found among this JVM's descendants by a string of their command line
 * (a configuration file path, unique to the harness's own deployment, so nothing else on the machine is ever touched),
 * signalled with {@code kill -STOP/-CONT/-KILL}. Remembers what it stopped so that {@link #resumeAll} can let it go
 * on (a stopped process cannot even die of SIGTERM). Thread-safe.
 */
public final class Processes {
    private final Set<Long> stopped = ConcurrentHashMap.newKeySet();

    /** The pid of the one live descendant whose command line contains {@code needle}. */
    public static Optional<Long> find(String needle) {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> commandLine(p.pid()).contains(needle))
                .map(ProcessHandle::pid)
                .findFirst();
    }

    /**
     * The whole command line from {@code /proc}: {@code ProcessHandle.Info.commandLine()} gives up on long ones (a
     * node started from a test runner carries the whole classpath), and then a running node looks absent.
     */
    static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    public void stop(long pid) {
        signal(pid, "STOP");
        stopped.add(pid);
    }

    public void resume(long pid) {
        signal(pid, "CONT");
        stopped.remove(pid);
    }

    public void kill(long pid) {
        signal(pid, "KILL");
        stopped.remove(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    }

    /** SIGCONT to everything still stopped: before a shutdown, which a stopped process would never see. */
    public void resumeAll() {
        for (Long pid : Set.copyOf(stopped)) {
            resume(pid);
        }
    }

    private static void signal(long pid, String signal) {
        if (!ProcessHandle.current().descendants().anyMatch(p -> p.pid() == pid)) {
            throw new IllegalArgumentException("pid " + pid + " is not a process of this harness");
        }
        try {
            int status = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
            if (status != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " exited with " + status);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        }
    }
}
