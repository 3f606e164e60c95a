package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ClusterException;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node of a {@link KafkaProcessCluster}: its identity, ports and directories, and the handle
 * of its child process, which is replaced on every restart.
 *
 * <p>The directory {@code <dataDir>/<name>} holds the node's configuration, its storage ({@code data}),
 * {@code server.log}, which receives the process's output across restarts, and {@code node.pid}.
 *
 * <p>Thread-safety: the process handle is volatile, so the status methods may be called from any thread.
 * Starts and stops are serialized by the cluster, except for its shutdown hook, which stops nodes
 * without the cluster's lock.
 */
final class NodeProcess {
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration LEFTOVER_PATIENCE = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);

    final int nodeId;
    final String name;
    /** The broker's rack, or {@code null} for the dedicated controller. */
    final String rack;
    /** The broker listener's port, or -1 for the dedicated controller. */
    final int brokerPort;
    /** The controller listener's port, or -1 for a broker-only node. */
    final int controllerPort;
    private final Path dir;
    private volatile Process process;
    /** The class data archive the running process writes when it exits, or null. */
    private volatile ClassDataArchive dumping;

    NodeProcess(Path dataDir, int nodeId, String name, String rack, int brokerPort, int controllerPort) {
        this.dir = dataDir.resolve(name);
        this.nodeId = nodeId;
        this.name = name;
        this.rack = rack;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    Path dir() {
        return dir;
    }

    Path storageDir() {
        return dir.resolve("data");
    }

    Path logFile() {
        return dir.resolve("server.log");
    }

    /** Who runs this node, for the next launcher (see {@link LeftoverProcesses}). */
    Path pidFile() {
        return dir.resolve("node.pid");
    }

    boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /**
     * Starts {@code command} (in a session of its own, see {@link ChildProcesses}) in the node directory,
     * its output appended to {@link #logFile()} after a line that marks the start.
     */
    void start(List<String> command, String clusterId, ClassDataArchive dumping) throws IOException {
        Path logFile = logFile();
        Files.writeString(logFile, System.lineSeparator() + "==== " + Instant.now() + " starting " + name
                + " of cluster " + clusterId + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // A node of a launcher that was killed halts within a second; until then it holds the log directory's lock.
        LeftoverProcesses.awaitGone(pidFile(), LEFTOVER_PATIENCE);
        ProcessBuilder pb = new ProcessBuilder(ChildProcesses.detached(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(JvmFootprint.environment());
        process = pb.start();
        this.dumping = dumping;
        LeftoverProcesses.record(pidFile(), process.toHandle());
        process.getOutputStream().close(); // the node reads no input
        log.info("Started {} (node id {}{}) as pid {}, log {}", name, nodeId,
                rack != null ? ", rack " + rack : "", process.pid(), logFile);
    }

    /**
     * @throws ClusterException if the process was started and has exited since; the message carries the
     *     end of its log
     */
    void checkNotExited() {
        Process p = process;
        if (p != null && !p.isAlive()) {
            throw new ClusterException(name + " (pid " + p.pid() + ") exited with status " + p.exitValue()
                    + " while starting; last lines of " + logFile() + ":\n" + logTail());
        }
    }

    void signalTerm() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy(); // SIGTERM: Kafka's shutdown hook runs a controlled shutdown
        }
    }

    /** SIGTERM, then {@link #awaitExitOrKill}. */
    void gracefulStop(Duration timeout) {
        signalTerm();
        awaitExitOrKill(timeout);
    }

    /** Waits up to {@code timeout} for the process to exit, then kills it (SIGKILL). */
    void awaitExitOrKill(Duration timeout) {
        Process p = process;
        if (p == null) {
            return;
        }
        boolean interrupted = false;
        try {
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                publishClassData();
            } else {
                log.warn("{} (pid {}) did not stop within {} s after SIGTERM; killing it", name, p.pid(),
                        timeout.toSeconds());
                p.destroyForcibly();
                p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            p.destroyForcibly();
        }
        closeStreams(p);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process ended on its own: the class data archive it wrote at exit, if any, is whole. */
    private void publishClassData() {
        ClassDataArchive archive = dumping;
        dumping = null;
        if (archive != null) {
            archive.publish();
        }
    }

    /**
     * Kills the process (SIGKILL) and waits up to {@code timeout} for it to be gone.
     *
     * @throws ClusterException if it is still alive after the timeout
     */
    void forceStop(Duration timeout) {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly(); // SIGKILL
        boolean interrupted = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ClusterException(name + " (pid " + p.pid() + ") still alive " + timeout.toSeconds()
                        + " s after SIGKILL");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        closeStreams(p);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeStreams(Process p) {
        for (var stream : List.<Closeable>of(p.getOutputStream(), p.getInputStream(), p.getErrorStream())) {
            try {
                stream.close();
            } catch (IOException e) {
                log.trace("Ignoring failure to close a stream of {}", name, e);
            }
        }
    }

    /** The last lines of {@link #logFile()}, read from its end so that a large log costs nothing. */
    String logTail() {
        Path file = logFile();
        if (!Files.isRegularFile(file)) {
            return "(no log file " + file + ")";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long start = Math.max(0, length - 64 * 1024);
            byte[] bytes = new byte[(int) (length - start)];
            raf.seek(start);
            raf.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().collect(Collectors.toList());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
