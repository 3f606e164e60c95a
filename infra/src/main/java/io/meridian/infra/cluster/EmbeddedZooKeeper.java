package io.meridian.infra.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.util.ServiceUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, standalone ZooKeeper server (ZooKeeper 3.9) running inside this JVM, listening on
 * {@code 127.0.0.1}.
 *
 * <p><b>Lifecycle.</b> {@link #start(Path, int)} returns a running server. {@link #stop()} takes it
 * down (clients see a connection loss, as in a ZooKeeper outage) and {@link #restart()} brings it back
 * on the same port with the same data. {@link #close()} stops it for good and is idempotent. The
 * snapshot and transaction log live under the data directory, so a new instance started on the same
 * directory (for instance in a later JVM) sees every znode written before. When started with port
 * {@code 0}, the chosen port is remembered in the data directory and preferred on the next start.
 *
 * <p>ZooKeeper's server threads are not daemons: a JVM that neither closes the server nor calls
 * {@code System.exit} (as test runners do) keeps running.
 *
 * <p><b>Thread-safety.</b> All methods are thread-safe; lifecycle methods are serialized.
 *
 * <p>Sessions may ask for a timeout between 1 s and 60 s (tick time 500 ms), so tests can use
 * short sessions to detect a lost leader quickly.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    static final int TICK_TIME_MS = 500;
    static final int MIN_SESSION_TIMEOUT_MS = 1_000;
    static final int MAX_SESSION_TIMEOUT_MS = 60_000;
    private static final int MAX_CLIENT_CONNECTIONS = 1_000;
    private static final String PORT_FILE = "embedded-zookeeper.port";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static {
        // An embedded server must never System.exit() the JVM that hosts it (ZooKeeper does so on
        // some unrecoverable storage errors); logging is enough in tests and local runs.
        ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
    }

    private final Path dataDir;
    private int port;
    private ZooKeeperServer server;
    private ServerCnxnFactory connectionFactory;
    private boolean closed;

    private EmbeddedZooKeeper(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * Starts a server storing its data under {@code dataDir} (created if missing).
     *
     * @param port the port to listen on, or {@code 0} for the port used last time on this data
     *     directory if it is free, else any free port
     * @throws IllegalStateException if the server cannot be started
     */
    public static EmbeddedZooKeeper start(Path dataDir, int port) {
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create ZooKeeper data directory " + dataDir, e);
        }
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dataDir.toAbsolutePath(), port);
        synchronized (zk) {
            if (port == 0) {
                int previous = zk.readRememberedPort();
                if (previous > 0) {
                    try {
                        zk.port = previous;
                        zk.startServer();
                        return zk;
                    } catch (PortTakenException e) {
                        log.info("ZooKeeper port {} used last time on {} is taken; picking another", previous, dataDir);
                        zk.port = 0;
                    }
                }
            }
            zk.startServer();
        }
        return zk;
    }

    /** {@code 127.0.0.1:<port>}; stays the same across {@link #stop()} and {@link #restart()}. */
    public synchronized String connectString() {
        return LOOPBACK.getHostAddress() + ":" + port;
    }

    /** The port the server listens on (also while stopped: the port it will listen on again). */
    public synchronized int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Whether the server is currently serving clients. */
    public synchronized boolean isRunning() {
        return server != null && server.isRunning();
    }

    /**
     * Stops the server, keeping its data, to simulate a ZooKeeper outage; clients lose their
     * connection. No-op when already stopped.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        log.info("Stopping embedded ZooKeeper on {}", connectString());
        try {
            connectionFactory.shutdown();
        } finally {
            connectionFactory = null;
            try {
                // Fully shut down so the database is dropped from memory: a restart must reload it from
                // disk, exactly like a real server process coming back.
                server.shutdown(true);
            } finally {
                closeQuietly(server);
                server = null;
            }
        }
    }

    /** Starts the server again on the same port and data (stopping it first if it runs). */
    public synchronized void restart() {
        ensureNotClosed();
        stop();
        try {
            startServer();
        } catch (PortTakenException e) {
            throw new IllegalStateException("Cannot restart ZooKeeper: port " + port + " is taken by another process", e);
        }
    }

    /** Stops the server for good. Idempotent; the data stays on disk. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
    }

    @Override
    public synchronized String toString() {
        return "EmbeddedZooKeeper{" + connectString() + ", dataDir=" + dataDir + (isRunning() ? ", running" : ", stopped") + "}";
    }

    private void startServer() {
        ensureNotClosed();
        ZooKeeperServer zks = null;
        ServerCnxnFactory factory = null;
        try {
            Path snapDir = dataDir.resolve("snapshots");
            Path logDir = dataDir.resolve("txnlog");
            zks = new ZooKeeperServer(snapDir.toFile(), logDir.toFile(), TICK_TIME_MS);
            zks.setMinSessionTimeout(MIN_SESSION_TIMEOUT_MS);
            zks.setMaxSessionTimeout(MAX_SESSION_TIMEOUT_MS);
            factory = ServerCnxnFactory.createFactory(new InetSocketAddress(LOOPBACK, port), MAX_CLIENT_CONNECTIONS);
            factory.startup(zks);
            port = factory.getLocalPort();
            server = zks;
            connectionFactory = factory;
            rememberPort();
            log.info("Embedded ZooKeeper serving on {} with data in {}", connectString(), dataDir);
        } catch (BindException e) {
            cleanUpFailedStart(zks, factory);
            throw new PortTakenException(port, e);
        } catch (IOException e) {
            cleanUpFailedStart(zks, factory);
            throw new UncheckedIOException("Cannot start ZooKeeper on port " + port + " with data in " + dataDir, e);
        } catch (InterruptedException e) {
            cleanUpFailedStart(zks, factory);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting ZooKeeper on port " + port, e);
        } catch (RuntimeException e) {
            cleanUpFailedStart(zks, factory);
            throw new IllegalStateException("Cannot start ZooKeeper on port " + port + " with data in " + dataDir, e);
        }
    }

    private static void cleanUpFailedStart(ZooKeeperServer zks, ServerCnxnFactory factory) {
        if (factory != null) {
            try {
                factory.shutdown();
            } catch (RuntimeException e) {
                log.debug("Ignoring failure while cleaning up a failed ZooKeeper start", e);
            }
        }
        if (zks != null) {
            try {
                zks.shutdown(true);
            } catch (RuntimeException e) {
                log.debug("Ignoring failure while cleaning up a failed ZooKeeper start", e);
            }
            closeQuietly(zks);
        }
    }

    /** Releases the file handles of the snapshot and transaction log, which shutdown keeps open. */
    private static void closeQuietly(ZooKeeperServer zks) {
        try {
            if (zks.getZKDatabase() != null) {
                zks.getZKDatabase().close();
            }
            if (zks.getTxnLogFactory() != null) {
                zks.getTxnLogFactory().close();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Ignoring failure while closing ZooKeeper storage", e);
        }
    }

    private int readRememberedPort() {
        Path file = dataDir.resolve(PORT_FILE);
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try {
            return Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            log.warn("Ignoring unreadable {}", file, e);
            return 0;
        }
    }

    private void rememberPort() {
        try {
            Files.writeString(dataDir.resolve(PORT_FILE), Integer.toString(port), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // Only a preference for the next start; the server itself is fine.
            log.warn("Cannot remember ZooKeeper port in {}", dataDir, e);
        }
    }

    private void ensureNotClosed() {
        if (closed) {
            throw new IllegalStateException("EmbeddedZooKeeper on " + dataDir + " is closed");
        }
    }

    /** The chosen port could not be bound. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(int port, BindException cause) {
            super("Port " + port + " is already in use", cause);
        }
    }
}
