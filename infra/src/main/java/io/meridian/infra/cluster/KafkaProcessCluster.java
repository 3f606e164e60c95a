package io.meridian.infra.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Kafka 4.1 cluster of real KRaft nodes, each one a child JVM ({@link BrokerMain} running
 * {@code kafka.Kafka}), so that tests can kill a broker with {@code kill -9} and restart it.
 *
 * <p><b>Topology.</b> One broker per rack ({@code broker.rack} = the rack name; default racks
 * us-east, eu-west, ap-south); broker {@code i} has node id {@code i}, so a partition leader id is
 * also the index to pass to {@link #killBroker(int)}. By default ({@link ControllerLayout#DEDICATED}) the
 * metadata quorum is one extra controller-only process (node id {@value #CONTROLLER_NODE_ID}): killing a
 * broker then is a pure data-plane failure, never also a quorum election, and any set of brokers can
 * be stopped in any order. {@link ControllerLayout#COMBINED} instead runs every node as broker and
 * controller (a static quorum of N voters), closer to "a region takes its controller down with it"; it
 * keeps working while a majority of nodes is up.
 *
 * <p><b>Settings.</b> Replication factor of internal topics {@code min(3, N)}, {@code min.insync.replicas}
 * and {@code transaction.state.log.min.isr} {@code min(2, N)}, no topic auto-creation, fast failure
 * detection ({@code broker.session.timeout.ms=3000}), small JVMs ({@link JvmFootprint}), and storage formatted
 * with the latest production {@code metadata.version} and {@code transaction.version=2}, as a real 4.1 cluster is.
 * Listeners bind {@code 127.0.0.1}. Each node's output goes to {@code <dataDir>/<node>/server.log}.
 *
 * <p><b>Persistence.</b> The cluster id and ports are stored in {@value #STATE_FILE} in the data
 * directory. A new instance on the same directory reuses them and the formatted storage, so topics
 * and records survive a full stop and start; the directory is formatted only once. Each node's pid is kept in its
 * directory, so that a new instance first waits for the nodes of one whose JVM was killed ({@link LeftoverProcesses}),
 * and {@code cds/} holds the class data archive the nodes share ({@link ClassDataArchive}).
 *
 * <p><b>Lifecycle.</b> Construct (cheap: resolves ports and the cluster id, starts nothing), then
 * {@link #start()} (blocks until every broker is registered and unfenced), then any of
 * {@link #killBroker(int)}, {@link #stopBroker(int)}, {@link #startBroker(int)}, and finally
 * {@link #close()} (terminal, idempotent). A JVM shutdown hook closes the cluster if the owner does not,
 * and each child halts itself when this JVM disappears, even after a {@code kill -9}.
 *
 * <p><b>Thread-safety.</b> Thread-safe. Lifecycle methods are serialized on this instance and may
 * block for tens of seconds; accessors such as {@link #bootstrapServers()} never block.
 */
public final class KafkaProcessCluster implements AutoCloseable {

    public static final List<String> DEFAULT_RACKS = List.of("us-east", "eu-west", "ap-south");
    public static final int CONTROLLER_NODE_ID = 1000;
    public static final String STATE_FILE = "meridian-cluster.properties";

    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(180);
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    static final String HOST = "127.0.0.1";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final int BROKER_SESSION_TIMEOUT_MS = 3_000;
    static final int BROKER_HEARTBEAT_INTERVAL_MS = 500;
    private static final Logger log = LoggerFactory.getLogger(KafkaProcessCluster.class);

    private final ClusterSettings settings;
    private final String clusterId;
    private final ClusterNodes nodes;
    private final NodeLauncher launcher;
    private final ClusterReadiness readiness;

    /** Volatile: also read by the shutdown hook, which does not lock. */
    private volatile boolean closed;
    private Thread shutdownHook;

    /** Use {@link KafkaProcessClusterBuilder}. */
    KafkaProcessCluster(ClusterSettings settings) {
        this.settings = settings;
        Path dataDir = settings.dataDir();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create cluster data directory " + dataDir, e);
        }
        String classpath = NodeLauncher.childClasspath(dataDir, settings.classpath());
        ClusterState state = ClusterState.loadOrCreate(dataDir, settings.layout(), settings.racks().size(),
                settings.basePort());
        this.clusterId = state.clusterId;
        this.nodes = new ClusterNodes(dataDir, settings.racks(), settings.layout(), state);
        this.launcher = new NodeLauncher(settings, clusterId, nodes, classpath);
        this.readiness = new ClusterReadiness(nodes, clusterId, dataDir, settings.startupTimeout());
    }

    // ------------------------------------------------------------------ accessors (non-blocking)

    /** Comma-separated {@code host:port} of every broker, e.g. for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return nodes.bootstrapServers();
    }

    /** {@code host:port} of broker {@code index} alone. */
    public String bootstrapServer(int index) {
        return HOST + ":" + nodes.broker(index).brokerPort;
    }

    public int brokerCount() {
        return nodes.brokers().size();
    }

    /** The rack of each broker, by index. */
    public List<String> racks() {
        return settings.racks();
    }

    /** The KRaft node id of broker {@code index} (equal to the index). */
    public int nodeId(int index) {
        return nodes.broker(index).nodeId;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    public ControllerLayout controllerLayout() {
        return settings.layout();
    }

    /** The file that receives broker {@code index}'s log and console output. */
    public Path brokerLogFile(int index) {
        return nodes.broker(index).logFile();
    }

    /** Whether broker {@code index}'s process is alive (not whether it is ready). */
    public boolean isBrokerRunning(int index) {
        return nodes.broker(index).isAlive();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Formats storage where needed, starts every node that is not running and waits until all
     * brokers are registered and unfenced. Calling it again restarts nodes that were stopped.
     *
     * @throws ClusterException if a node dies or the cluster is not ready within the startup timeout;
     *     nodes started by this call are then stopped again
     */
    public synchronized void start() {
        ensureOpen();
        Instant begin = Instant.now();
        List<NodeProcess> launched = new ArrayList<>();
        try {
            for (NodeProcess node : nodes.all()) {
                NodeStorage.formatIfNeeded(node, clusterId);
            }
            registerShutdownHookOnce();
            for (NodeProcess node : nodes.all()) {
                if (!node.isAlive()) {
                    launcher.launch(node);
                    launched.add(node);
                }
            }
            readiness.awaitReady(nodes.brokers(), Instant.now().plus(settings.startupTimeout()));
            log.info("Kafka cluster {} ({} brokers on racks {}, {} controller) ready at {} in {} ms",
                    clusterId, brokerCount(), racks(), settings.layout().name().toLowerCase(Locale.ROOT),
                    bootstrapServers(), Duration.between(begin, Instant.now()).toMillis());
        } catch (RuntimeException e) {
            for (NodeProcess node : launched) {
                node.forceStop(settings.shutdownTimeout());
            }
            throw e;
        }
    }

    /** Kills broker {@code index} with SIGKILL ({@code kill -9}) and waits for the process to be gone. */
    public synchronized void killBroker(int index) {
        ensureOpen();
        NodeProcess node = nodes.broker(index);
        if (!node.isAlive()) {
            log.info("Broker {} is not running; nothing to kill", index);
            return;
        }
        log.info("Killing broker {} (pid {}) with SIGKILL", index, node.pid());
        node.forceStop(settings.shutdownTimeout());
    }

    /**
     * Stops broker {@code index} with SIGTERM (controlled shutdown: leadership moves away first) and waits
     * for it to exit; after the shutdown timeout it is killed. Note that in the combined layout the last
     * node of a quorum majority cannot complete a controlled shutdown and ends up killed.
     */
    public synchronized void stopBroker(int index) {
        ensureOpen();
        NodeProcess node = nodes.broker(index);
        if (!node.isAlive()) {
            return;
        }
        log.info("Stopping broker {} (pid {}) with SIGTERM", index, node.pid());
        node.gracefulStop(settings.shutdownTimeout());
    }

    /**
     * Restarts broker {@code index} with its configuration and data, and waits until it is registered
     * and unfenced again. No-op if it is running.
     *
     * @throws ClusterException if it does not come back within the startup timeout (it is then killed)
     */
    public synchronized void startBroker(int index) {
        ensureOpen();
        NodeProcess node = nodes.broker(index);
        if (node.isAlive()) {
            log.info("Broker {} is already running", index);
            return;
        }
        Instant deadline = Instant.now().plus(settings.startupTimeout());
        // After a kill -9 the controller still counts the old incarnation as unfenced until its session
        // times out; waiting for that keeps "ready" below from being answered by the dead incarnation.
        readiness.awaitNotActive(node, Instant.now().plus(Duration.ofMillis(BROKER_SESSION_TIMEOUT_MS * 4L)));
        launcher.launch(node);
        try {
            readiness.awaitReady(List.of(node), deadline);
        } catch (RuntimeException e) {
            node.forceStop(settings.shutdownTimeout()); // leave no half-started broker behind
            throw e;
        }
        log.info("Broker {} is back", index);
    }

    /**
     * Stops every node: brokers get SIGTERM together (so controlled shutdowns still find a quorum), then
     * the dedicated controller; whatever is still alive after the shutdown timeout is killed.
     * Idempotent. The data directory is kept.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.stopAll(settings.shutdownTimeout());
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook is running or about to, which is fine.
                log.debug("Shutdown hook not removed: JVM shutdown in progress");
            }
        }
        log.info("Kafka cluster {} closed", clusterId);
    }

    @Override
    public String toString() {
        return "KafkaProcessCluster{" + clusterId + ", " + settings.layout() + ", racks=" + racks() + ", bootstrap="
                + bootstrapServers() + ", dataDir=" + dataDir() + "}";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Kafka cluster in " + dataDir() + " is closed");
        }
    }

    private void registerShutdownHookOnce() {
        if (!settings.shutdownHook() || shutdownHook != null) {
            return;
        }
        // The hook must not take this object's lock: the thread that holds it may be the one calling System.exit.
        shutdownHook = new Thread(() -> {
            if (!closed) {
                log.info("JVM shutting down: stopping Kafka cluster {}", clusterId);
                nodes.stopAll(settings.shutdownTimeout());
            }
        }, "kafka-process-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
}
