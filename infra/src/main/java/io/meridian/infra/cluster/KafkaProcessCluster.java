package io.meridian.infra.cluster;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.common.TransactionVersion;
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
 * detection ({@code broker.session.timeout.ms=3000}), small heaps, and storage formatted with the latest
 * production {@code metadata.version} and {@code transaction.version=2}, as a real 4.1 cluster is.
 * Listeners bind {@code 127.0.0.1}. Each node's output goes to {@code <dataDir>/<node>/server.log}.
 *
 * <p><b>Persistence.</b> The cluster id and ports are stored in {@value #STATE_FILE} in the data
 * directory. A new instance on the same directory reuses them and the formatted storage, so topics
 * and records survive a full stop and start; the directory is formatted only once.
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

    /** How the KRaft metadata quorum is laid out. */
    public enum ControllerLayout {
        /** One controller-only process plus N broker-only processes. */
        DEDICATED,
        /** N processes that are each broker and controller (static quorum of N voters). */
        COMBINED
    }

    /** Unchecked failure to start, stop or manage the cluster; the message says which node and why. */
    public static final class ClusterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ClusterException(String message) {
            super(message);
        }

        public ClusterException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final List<String> DEFAULT_RACKS = List.of("us-east", "eu-west", "ap-south");
    public static final int CONTROLLER_NODE_ID = 1000;
    public static final String STATE_FILE = "meridian-cluster.properties";

    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(180);
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final int BROKER_SESSION_TIMEOUT_MS = 3_000;
    static final int BROKER_HEARTBEAT_INTERVAL_MS = 500;
    private static final String HOST = "127.0.0.1";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final int LOG_TAIL_LINES = 40;
    private static final Logger log = LoggerFactory.getLogger(KafkaProcessCluster.class);

    private final Path dataDir;
    private final List<String> racks;
    private final ControllerLayout layout;
    private final Duration startupTimeout;
    private final Duration shutdownTimeout;
    private final List<String> brokerJvmOptions;
    private final List<String> controllerJvmOptions;
    private final Map<String, String> extraBrokerProperties;
    private final String classpath;
    private final boolean shutdownHookEnabled;

    private final String clusterId;
    private final List<NodeProcess> brokers;
    /** The dedicated controller, or {@code null} in the combined layout. */
    private final NodeProcess controller;
    private final String bootstrapServers;

    /** Volatile: also read by the shutdown hook, which does not lock. */
    private volatile boolean closed;
    private Thread shutdownHook;

    /** A cluster of three brokers on racks us-east, eu-west, ap-south under {@code dataDir}. */
    public KafkaProcessCluster(Path dataDir) {
        this(builder(dataDir));
    }

    /** A cluster with one broker per rack under {@code dataDir}. */
    public KafkaProcessCluster(Path dataDir, List<String> racks) {
        this(builder(dataDir).racks(racks));
    }

    private KafkaProcessCluster(Builder b) {
        this.dataDir = b.dataDir.toAbsolutePath();
        this.racks = List.copyOf(b.racks);
        this.layout = b.layout;
        this.startupTimeout = b.startupTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
        this.brokerJvmOptions = b.brokerJvmOptions != null
                ? b.brokerJvmOptions : Builder.defaultJvmOptions("128m", "768m", b.fastStartup);
        this.controllerJvmOptions = b.controllerJvmOptions != null
                ? b.controllerJvmOptions : Builder.defaultJvmOptions("64m", "256m", b.fastStartup);
        this.extraBrokerProperties = Map.copyOf(b.brokerProperties);
        this.shutdownHookEnabled = b.shutdownHook;

        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create cluster data directory " + dataDir, e);
        }
        this.classpath = childClasspath(dataDir, b.classpath);
        ClusterState state = ClusterState.loadOrCreate(dataDir, layout, racks.size(), b.basePort);
        this.clusterId = state.clusterId;
        List<NodeProcess> nodes = new ArrayList<>();
        for (int i = 0; i < racks.size(); i++) {
            nodes.add(new NodeProcess(i, "broker-" + i, racks.get(i),
                    state.brokerPorts[i], layout == ControllerLayout.COMBINED ? state.controllerPorts[i] : -1));
        }
        this.brokers = List.copyOf(nodes);
        this.controller = layout == ControllerLayout.DEDICATED
                ? new NodeProcess(CONTROLLER_NODE_ID, "controller", null, -1, state.controllerPorts[0])
                : null;
        this.bootstrapServers = brokers.stream().map(n -> HOST + ":" + n.brokerPort).collect(Collectors.joining(","));
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    // ------------------------------------------------------------------ accessors (non-blocking)

    /** Comma-separated {@code host:port} of every broker, e.g. for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code host:port} of broker {@code index} alone. */
    public String bootstrapServer(int index) {
        return HOST + ":" + broker(index).brokerPort;
    }

    public int brokerCount() {
        return brokers.size();
    }

    /** The rack of each broker, by index. */
    public List<String> racks() {
        return racks;
    }

    /** The KRaft node id of broker {@code index} (equal to the index). */
    public int nodeId(int index) {
        return broker(index).nodeId;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    public ControllerLayout controllerLayout() {
        return layout;
    }

    /** The file that receives broker {@code index}'s log and console output. */
    public Path brokerLogFile(int index) {
        return broker(index).logFile();
    }

    /** Whether broker {@code index}'s process is alive (not whether it is ready). */
    public boolean isBrokerRunning(int index) {
        return broker(index).isAlive();
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
            for (NodeProcess node : allNodes()) {
                formatIfNeeded(node);
            }
            registerShutdownHookOnce();
            for (NodeProcess node : allNodes()) {
                if (!node.isAlive()) {
                    launch(node);
                    launched.add(node);
                }
            }
            awaitReady(allBrokerIndexes(), Instant.now().plus(startupTimeout));
            log.info("Kafka cluster {} ({} brokers on racks {}, {} controller) ready at {} in {} ms",
                    clusterId, brokers.size(), racks, layout.name().toLowerCase(Locale.ROOT), bootstrapServers,
                    Duration.between(begin, Instant.now()).toMillis());
        } catch (RuntimeException e) {
            for (NodeProcess node : launched) {
                node.forceStop(shutdownTimeout);
            }
            throw e;
        }
    }

    /** Kills broker {@code index} with SIGKILL ({@code kill -9}) and waits for the process to be gone. */
    public synchronized void killBroker(int index) {
        ensureOpen();
        NodeProcess node = broker(index);
        if (!node.isAlive()) {
            log.info("Broker {} is not running; nothing to kill", index);
            return;
        }
        log.info("Killing broker {} (pid {}) with SIGKILL", index, node.pid());
        node.forceStop(shutdownTimeout);
    }

    /**
     * Stops broker {@code index} with SIGTERM (controlled shutdown: leadership moves away first) and waits
     * for it to exit; after the shutdown timeout it is killed. Note that in the combined layout the last
     * node of a quorum majority cannot complete a controlled shutdown and ends up killed.
     */
    public synchronized void stopBroker(int index) {
        ensureOpen();
        NodeProcess node = broker(index);
        if (!node.isAlive()) {
            return;
        }
        log.info("Stopping broker {} (pid {}) with SIGTERM", index, node.pid());
        node.gracefulStop(shutdownTimeout);
    }

    /**
     * Restarts broker {@code index} with its configuration and data, and waits until it is registered
     * and unfenced again. No-op if it is running.
     *
     * @throws ClusterException if it does not come back within the startup timeout (it is then killed)
     */
    public synchronized void startBroker(int index) {
        ensureOpen();
        NodeProcess node = broker(index);
        if (node.isAlive()) {
            log.info("Broker {} is already running", index);
            return;
        }
        Instant deadline = Instant.now().plus(startupTimeout);
        // After a kill -9 the controller still counts the old incarnation as unfenced until its session
        // times out; waiting for that keeps "ready" below from being answered by the dead incarnation.
        awaitNotActive(node, Instant.now().plus(Duration.ofMillis(BROKER_SESSION_TIMEOUT_MS * 4L)));
        launch(node);
        try {
            awaitReady(List.of(index), deadline);
        } catch (RuntimeException e) {
            node.forceStop(shutdownTimeout); // leave no half-started broker behind
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
        stopAllProcesses();
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
        return "KafkaProcessCluster{" + clusterId + ", " + layout + ", racks=" + racks + ", bootstrap=" + bootstrapServers
                + ", dataDir=" + dataDir + "}";
    }

    // ------------------------------------------------------------------ internals

    private NodeProcess broker(int index) {
        if (index < 0 || index >= brokers.size()) {
            throw new IndexOutOfBoundsException("broker index " + index + " not in [0, " + brokers.size() + ")");
        }
        return brokers.get(index);
    }

    private List<NodeProcess> allNodes() {
        List<NodeProcess> all = new ArrayList<>();
        if (controller != null) {
            all.add(controller); // first, so that brokers find a quorum as soon as they start
        }
        all.addAll(brokers);
        return all;
    }

    private List<Integer> allBrokerIndexes() {
        return IntStream.range(0, brokers.size()).boxed().collect(Collectors.toList());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Kafka cluster in " + dataDir + " is closed");
        }
    }

    /**
     * Used by the shutdown hook, which must not take this object's lock: the thread that holds it may be
     * the one calling System.exit.
     */
    private void stopAllProcesses() {
        List<NodeProcess> aliveBrokers = brokers.stream().filter(NodeProcess::isAlive).collect(Collectors.toList());
        aliveBrokers.forEach(NodeProcess::signalTerm);
        aliveBrokers.forEach(n -> n.awaitExitOrKill(shutdownTimeout));
        if (controller != null && controller.isAlive()) {
            controller.gracefulStop(shutdownTimeout);
        }
    }

    private void registerShutdownHookOnce() {
        if (!shutdownHookEnabled || shutdownHook != null) {
            return;
        }
        shutdownHook = new Thread(() -> {
            if (!closed) {
                log.info("JVM shutting down: stopping Kafka cluster {}", clusterId);
                stopAllProcesses();
            }
        }, "kafka-process-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private String quorumVoters() {
        if (controller != null) {
            return controller.nodeId + "@" + HOST + ":" + controller.controllerPort;
        }
        return brokers.stream().map(n -> n.nodeId + "@" + HOST + ":" + n.controllerPort).collect(Collectors.joining(","));
    }

    private void formatIfNeeded(NodeProcess node) {
        Path metaProperties = node.storageDir().resolve("meta.properties");
        if (Files.exists(metaProperties)) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            Files.createDirectories(node.storageDir());
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(node.nodeId)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(node.storageDir().toString()))
                    .setMetadataLogDirectory(node.storageDir().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    // What a real 4.1 cluster finalizes: the transaction protocol of KIP-890 (epoch bump per
                    // transaction), so transactional producers behave here as in production.
                    .setFeatureLevel(TransactionVersion.FEATURE_NAME, TransactionVersion.TV_2.featureLevel())
                    .run();
            log.debug("Formatted {}: {}", node.name, output.toString(StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot format storage of " + node.name + " in " + node.storageDir(), e);
        } catch (Exception e) { // Formatter.run() declares Exception
            throw new ClusterException("Cannot format storage of " + node.name + " in " + node.storageDir() + ": "
                    + e.getMessage() + "; formatter said: " + output.toString(StandardCharsets.UTF_8).trim(), e);
        }
    }

    private Properties serverProperties(NodeProcess node) {
        int n = brokers.size();
        Properties p = new Properties();
        p.setProperty("node.id", Integer.toString(node.nodeId));
        p.setProperty("controller.quorum.voters", quorumVoters());
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("log.dirs", node.storageDir().toString());
        // Controller side of failure detection: fence a silent broker after 3 s rather than 9 s.
        p.setProperty("broker.session.timeout.ms", Integer.toString(BROKER_SESSION_TIMEOUT_MS));
        p.setProperty("broker.heartbeat.interval.ms", Integer.toString(BROKER_HEARTBEAT_INTERVAL_MS));
        // Two cores for the whole box: keep thread pools small.
        p.setProperty("num.network.threads", "2");
        p.setProperty("background.threads", "2");
        if (node == controller) {
            p.setProperty("process.roles", "controller");
            p.setProperty("listeners", CONTROLLER_LISTENER + "://" + HOST + ":" + node.controllerPort);
            p.setProperty("num.io.threads", "2");
            return p;
        }
        p.setProperty("process.roles", layout == ControllerLayout.COMBINED ? "broker,controller" : "broker");
        String listeners = BROKER_LISTENER + "://" + HOST + ":" + node.brokerPort;
        if (layout == ControllerLayout.COMBINED) {
            listeners += "," + CONTROLLER_LISTENER + "://" + HOST + ":" + node.controllerPort;
        }
        p.setProperty("listeners", listeners);
        p.setProperty("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + node.brokerPort);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty("broker.rack", node.rack);
        String rf = Integer.toString(Math.min(3, n));
        String minIsr = Integer.toString(Math.min(2, n));
        p.setProperty("default.replication.factor", rf);
        p.setProperty("min.insync.replicas", minIsr);
        p.setProperty("offsets.topic.replication.factor", rf);
        p.setProperty("transaction.state.log.replication.factor", rf);
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.replication.factor", rf);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        // Fewer internal partitions than the default 50: creating them dominates the first group join.
        p.setProperty("offsets.topic.num.partitions", "12");
        p.setProperty("transaction.state.log.num.partitions", "12");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.io.threads", "4");
        p.setProperty("num.replica.fetchers", "1");
        p.setProperty("log.cleaner.threads", "1");
        // The cleaner's dedupe buffer is heap; the default 128 MiB is a big slice of a 768 MiB heap.
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(32 * 1024 * 1024));
        extraBrokerProperties.forEach(p::setProperty);
        return p;
    }

    private void launch(NodeProcess node) {
        Path dir = node.dir();
        try {
            Files.createDirectories(dir);
            Path propertiesFile = dir.resolve("server.properties");
            writeProperties(propertiesFile, serverProperties(node), "Kafka node " + node.name + " of cluster " + clusterId);
            Path logbackFile = dir.resolve("logback.xml");
            Files.writeString(logbackFile, LOGBACK_XML, StandardCharsets.UTF_8);
            Path log4j2File = dir.resolve("log4j2.properties");
            Files.writeString(log4j2File, LOG4J2_PROPERTIES, StandardCharsets.UTF_8);
            // The classpath goes through an @argfile: a surefire or IDE classpath can exceed what is
            // comfortable on a command line, and the file documents how to run the node by hand.
            Path argFile = dir.resolve("java.args");
            Files.writeString(argFile, "-cp " + quoteArg(classpath) + System.lineSeparator(), StandardCharsets.UTF_8);

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(node == controller ? controllerJvmOptions : brokerJvmOptions);
            command.add("-Dlogback.configurationFile=" + logbackFile);
            command.add("-Dlog4j2.configurationFile=" + log4j2File);
            command.add("-Dmeridian.kafka.node=" + node.name);
            command.add("@" + argFile);
            command.add(BrokerMain.class.getName());
            command.add(Long.toString(ProcessHandle.current().pid()));
            command.add(propertiesFile.toString());

            Path logFile = node.logFile();
            Files.writeString(logFile, System.lineSeparator() + "==== " + Instant.now() + " starting " + node.name
                    + " of cluster " + clusterId + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(ChildProcesses.detached(command))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            node.process = pb.start();
            node.process.getOutputStream().close(); // the node reads no input
            log.info("Started {} (node id {}{}) as pid {}, log {}", node.name, node.nodeId,
                    node.rack != null ? ", rack " + node.rack : "", node.process.pid(), logFile);
        } catch (IOException e) {
            throw new ClusterException("Cannot launch " + node.name + " of the Kafka cluster in " + dataDir, e);
        }
    }

    /**
     * The children's classpath: a private copy of {@link BrokerMain} first, then the given classpath or,
     * by default, the jars of this JVM's classpath. Directories are left out on purpose: they are build
     * outputs ({@code target/classes}) that a concurrent build may wipe while a broker restarts, and a
     * broker needs nothing from them but {@code BrokerMain}.
     */
    private static String childClasspath(Path dataDir, String explicit) {
        Path launcherDir = dataDir.resolve("launcher");
        String resource = BrokerMain.class.getName().replace('.', '/') + ".class";
        Path target = launcherDir.resolve(resource);
        // BrokerMain has no nested or anonymous classes (its lambda compiles into it), so one file is all.
        try (InputStream in = BrokerMain.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClusterException("Cannot find " + resource + " on the classpath");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + resource + " to " + launcherDir, e);
        }
        String rest = explicit;
        if (rest == null) {
            rest = Arrays.stream(System.getProperty("java.class.path", "").split(File.pathSeparator))
                    .filter(entry -> !entry.isBlank() && Files.isRegularFile(Path.of(entry)))
                    // Absolute: the children run in their node directory (java -jar gives a relative path).
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return launcherDir + File.pathSeparator + rest;
    }

    private static String quoteArg(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void writeProperties(Path file, Properties properties, String comment) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            properties.store(out, comment);
        }
    }

    /**
     * Blocks until the given brokers are listening, registered with the controller and unfenced,
     * failing early if any node process dies.
     */
    private void awaitReady(Collection<Integer> indexes, Instant deadline) {
        List<NodeProcess> waitingFor = indexes.stream().map(this::broker).collect(Collectors.toList());
        // First the sockets: a cheap check that spares the admin client a storm of refused connections.
        for (NodeProcess node : waitingFor) {
            while (!isListening(node.brokerPort)) {
                checkAlive(waitingFor);
                checkDeadline(deadline, "broker " + node.name + " to listen on port " + node.brokerPort, List.of(node));
                pause();
            }
        }
        String lastState = "no answer yet";
        try (Admin admin = Admin.create(adminConfig())) {
            while (true) {
                checkAlive(waitingFor);
                Map<Integer, Node> nodes;
                try {
                    nodes = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true).timeoutMs(3_000))
                            .nodes().get(5, TimeUnit.SECONDS).stream()
                            .collect(Collectors.toMap(Node::id, Function.identity(), (a, b) -> a));
                    List<NodeProcess> notReady = waitingFor.stream()
                            .filter(nd -> !nodes.containsKey(nd.nodeId) || nodes.get(nd.nodeId).isFenced())
                            .collect(Collectors.toList());
                    if (notReady.isEmpty()) {
                        return;
                    }
                    lastState = "registered brokers " + describeNodes(nodes.values()) + ", waiting for "
                            + notReady.stream().map(nd -> nd.name).collect(Collectors.toList());
                    checkDeadline(deadline, "brokers to register unfenced (" + lastState + ")", notReady);
                } catch (ExecutionException | TimeoutException e) {
                    lastState = "describeCluster failed: " + e;
                    checkDeadline(deadline, "brokers to register unfenced (" + lastState + ")", waitingFor);
                }
                pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("Interrupted while waiting for Kafka brokers to be ready (" + lastState + ")", e);
        }
    }

    /** Waits until the controller no longer counts {@code node} as an active (unfenced) broker. */
    private void awaitNotActive(NodeProcess node, Instant deadline) {
        if (brokers.stream().noneMatch(NodeProcess::isAlive)) {
            return; // nobody could answer; a full restart has no stale registration to fear anyway
        }
        try (Admin admin = Admin.create(adminConfig())) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    Map<Integer, Boolean> fenced = admin.describeCluster(
                                    new DescribeClusterOptions().includeFencedBrokers(true).timeoutMs(2_000))
                            .nodes().get(3, TimeUnit.SECONDS).stream()
                            .collect(Collectors.toMap(Node::id, Node::isFenced, (a, b) -> a));
                    if (fenced.getOrDefault(node.nodeId, true)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    log.debug("describeCluster failed while waiting for {} to be fenced", node.name, e);
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            log.warn("{} still looks active to the controller; starting it anyway", node.name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("Interrupted while waiting for " + node.name + " to be fenced", e);
        }
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-process-cluster-" + clusterId);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return config;
    }

    private static String describeNodes(Collection<Node> nodes) {
        return nodes.stream().map(nd -> nd.id() + (nd.isFenced() ? "(fenced)" : ""))
                .collect(Collectors.toCollection(TreeSet::new)).toString();
    }

    private void checkAlive(List<NodeProcess> waitingFor) {
        List<NodeProcess> mustLive = new ArrayList<>(waitingFor);
        if (controller != null) {
            mustLive.add(controller);
        }
        for (NodeProcess node : mustLive) {
            if (node.process != null && !node.process.isAlive()) {
                throw new ClusterException(node.name + " (pid " + node.process.pid() + ") exited with status "
                        + node.process.exitValue() + " while starting; last lines of " + node.logFile() + ":\n"
                        + tail(node.logFile()));
            }
        }
    }

    private void checkDeadline(Instant deadline, String waitingFor, List<NodeProcess> suspects) {
        if (Instant.now().isAfter(deadline)) {
            StringBuilder message = new StringBuilder("Kafka cluster in " + dataDir + " not ready after "
                    + startupTimeout.toSeconds() + " s: still waiting for " + waitingFor);
            for (NodeProcess node : suspects) {
                message.append("\n--- last lines of ").append(node.logFile()).append(":\n").append(tail(node.logFile()));
            }
            throw new ClusterException(message.toString());
        }
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("Interrupted while waiting for the Kafka cluster", e);
        }
    }

    /** The last lines of a log file, read from its end so a large log costs nothing. */
    static String tail(Path file) {
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

    // ------------------------------------------------------------------ one node

    /** One child process; its {@link Process} handle is replaced on every restart. */
    private final class NodeProcess {
        final int nodeId;
        final String name;
        final String rack;
        final int brokerPort;
        final int controllerPort;
        volatile Process process;

        NodeProcess(int nodeId, String name, String rack, int brokerPort, int controllerPort) {
            this.nodeId = nodeId;
            this.name = name;
            this.rack = rack;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
        }

        Path dir() {
            return dataDir.resolve(name);
        }

        Path storageDir() {
            return dir().resolve("data");
        }

        Path logFile() {
            return dir().resolve("server.log");
        }

        boolean isAlive() {
            Process p = process;
            return p != null && p.isAlive();
        }

        long pid() {
            Process p = process;
            return p == null ? -1 : p.pid();
        }

        void signalTerm() {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.destroy(); // SIGTERM: Kafka's shutdown hook runs a controlled shutdown
            }
        }

        void gracefulStop(Duration timeout) {
            signalTerm();
            awaitExitOrKill(timeout);
        }

        void awaitExitOrKill(Duration timeout) {
            Process p = process;
            if (p == null) {
                return;
            }
            boolean interrupted = false;
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
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
    }

    // ------------------------------------------------------------------ persisted state

    /** Cluster id and ports, persisted so that a restart on the same data directory reuses them. */
    private static final class ClusterState {
        final String clusterId;
        final int[] brokerPorts;
        final int[] controllerPorts;

        private ClusterState(String clusterId, int[] brokerPorts, int[] controllerPorts) {
            this.clusterId = clusterId;
            this.brokerPorts = brokerPorts;
            this.controllerPorts = controllerPorts;
        }

        static ClusterState loadOrCreate(Path dataDir, ControllerLayout layout, int brokerCount, int basePort) {
            Path file = dataDir.resolve(STATE_FILE);
            int controllerCount = layout == ControllerLayout.COMBINED ? brokerCount : 1;
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + file, e);
                }
                String storedLayout = p.getProperty("controller.layout");
                int storedBrokers = Integer.parseInt(p.getProperty("brokers", "-1"));
                if (!layout.name().equals(storedLayout) || storedBrokers != brokerCount) {
                    throw new IllegalArgumentException("Data directory " + dataDir + " holds a cluster of " + storedBrokers
                            + " brokers with a " + storedLayout + " controller layout; asked for " + brokerCount + " brokers, "
                            + layout + ". Use another directory or the same topology.");
                }
                int[] brokerPorts = new int[brokerCount];
                int[] controllerPorts = new int[controllerCount];
                for (int i = 0; i < brokerCount; i++) {
                    brokerPorts[i] = Integer.parseInt(p.getProperty("broker." + i + ".port"));
                }
                for (int i = 0; i < controllerCount; i++) {
                    controllerPorts[i] = Integer.parseInt(p.getProperty("controller." + i + ".port"));
                }
                if (basePort > 0 && brokerPorts[0] != basePort) {
                    log.warn("Ignoring base port {}: the cluster in {} was created with ports from {}", basePort, dataDir,
                            brokerPorts[0]);
                }
                return new ClusterState(p.getProperty("cluster.id"), brokerPorts, controllerPorts);
            }
            int[] ports = basePort > 0
                    ? IntStream.range(basePort, basePort + brokerCount + controllerCount).toArray()
                    : freePorts(brokerCount + controllerCount);
            ClusterState state = new ClusterState(Uuid.randomUuid().toString(),
                    Arrays.copyOfRange(ports, 0, brokerCount),
                    Arrays.copyOfRange(ports, brokerCount, ports.length));
            state.save(file, layout);
            return state;
        }

        void save(Path file, ControllerLayout layout) {
            Properties p = new Properties();
            p.setProperty("cluster.id", clusterId);
            p.setProperty("controller.layout", layout.name());
            p.setProperty("brokers", Integer.toString(brokerPorts.length));
            for (int i = 0; i < brokerPorts.length; i++) {
                p.setProperty("broker." + i + ".port", Integer.toString(brokerPorts[i]));
            }
            for (int i = 0; i < controllerPorts.length; i++) {
                p.setProperty("controller." + i + ".port", Integer.toString(controllerPorts[i]));
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                writeProperties(tmp, p, "Meridian local Kafka cluster: identity and ports, reused on restart");
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + file, e);
            }
        }

        /** Distinct free ports, all held open together so none is handed out twice. */
        private static int[] freePorts(int count) {
            List<ServerSocket> sockets = new ArrayList<>();
            try {
                int[] ports = new int[count];
                for (int i = 0; i < count; i++) {
                    ServerSocket socket = new ServerSocket();
                    sockets.add(socket);
                    socket.setReuseAddress(true);
                    socket.bind(new InetSocketAddress(HOST, 0));
                    ports[i] = socket.getLocalPort();
                }
                return ports;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find free ports", e);
            } finally {
                for (ServerSocket socket : sockets) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        log.trace("Ignoring failure to close a probe socket", e);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ builder

    /** Options of a {@link KafkaProcessCluster}; every one has a default suited to a 2-core machine. */
    public static final class Builder {
        private final Path dataDir;
        private List<String> racks = DEFAULT_RACKS;
        private ControllerLayout layout = ControllerLayout.DEDICATED;
        private int basePort;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private List<String> brokerJvmOptions;
        private List<String> controllerJvmOptions;
        private boolean fastStartup = true;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private String classpath;
        private boolean shutdownHook = true;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** One broker per rack, in order; default us-east, eu-west, ap-south. */
        public Builder racks(List<String> racks) {
            Objects.requireNonNull(racks, "racks");
            if (racks.isEmpty()) {
                throw new IllegalArgumentException("at least one rack is needed");
            }
            if (racks.stream().anyMatch(r -> r == null || r.isBlank())) {
                throw new IllegalArgumentException("rack names must not be blank: " + racks);
            }
            this.racks = List.copyOf(racks);
            return this;
        }

        public Builder controllerLayout(ControllerLayout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        /**
         * Fixed ports instead of free ones: brokers get {@code basePort .. basePort+N-1}, controllers
         * the ports after. Ignored when the data directory already holds a cluster (its ports win).
         */
        public Builder basePort(int basePort) {
            if (basePort < 1 || basePort > 65_000) {
                throw new IllegalArgumentException("basePort out of range: " + basePort);
            }
            this.basePort = basePort;
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = requirePositive(timeout);
            return this;
        }

        /** How long a SIGTERM-ed node may take before it is killed. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = requirePositive(timeout);
            return this;
        }

        /**
         * Whether the default JVM options restrict the JIT to C1 ({@code -XX:TieredStopAtLevel=1}), default
         * true. On two shared cores that halves the start-up of a cluster (about 8 s instead of 15-25 s for
         * three brokers and a controller) and keeps the C2 compiler from eating a core for the first
         * minute; peak throughput is lower, so turn it off for long benchmarks. Ignored for explicit
         * {@link #brokerJvmOptions}/{@link #controllerJvmOptions}.
         */
        public Builder fastStartup(boolean enabled) {
            this.fastStartup = enabled;
            return this;
        }

        /** Replaces the JVM options of broker processes (default: 128m..768m heap, G1 as in kafka-run-class). */
        public Builder brokerJvmOptions(List<String> options) {
            this.brokerJvmOptions = List.copyOf(options);
            return this;
        }

        /** Replaces the JVM options of the dedicated controller process (default: 64m..256m heap). */
        public Builder controllerJvmOptions(List<String> options) {
            this.controllerJvmOptions = List.copyOf(options);
            return this;
        }

        /** Adds or overrides one broker configuration property, on every broker. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The classpath of the child JVMs (it needs the Kafka broker and an SLF4J binding); default the
         * jar entries of this JVM's {@code java.class.path}. A copy of {@link BrokerMain} always comes first.
         */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** Whether to stop the processes from a JVM shutdown hook when nobody closed the cluster (default true). */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        public KafkaProcessCluster build() {
            return new KafkaProcessCluster(this);
        }

        private static Duration requirePositive(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("duration must be positive: " + d);
            }
            return d;
        }

        static List<String> defaultJvmOptions(String xms, String xmx, boolean fastStartup) {
            List<String> options = new ArrayList<>(List.of("-Xms" + xms, "-Xmx" + xmx,
                    // Kafka's own launcher settings (kafka-run-class.sh): G1 with short pauses.
                    "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                    "-XX:+ExplicitGCInvokesConcurrent",
                    // A broker that ran out of memory is better dead (and visible) than limping.
                    "-XX:+ExitOnOutOfMemoryError",
                    "-Djava.awt.headless=true"));
            if (fastStartup) {
                options.add("-XX:TieredStopAtLevel=1");
            }
            return List.copyOf(options);
        }
    }

    // ------------------------------------------------------------------ child logging

    /** Logback configuration of the children: everything to stdout, which is redirected to server.log. */
    private static final String LOGBACK_XML = String.join("\n",
            "<configuration>",
            "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>",
            "  </appender>",
            "  <logger name=\"org.apache.kafka.clients\" level=\"WARN\"/>",
            "  <logger name=\"org.apache.kafka.common.config\" level=\"WARN\"/>",
            "  <logger name=\"org.apache.kafka.common.metrics\" level=\"WARN\"/>",
            "  <logger name=\"org.apache.kafka.common.utils.AppInfoParser\" level=\"WARN\"/>",
            "  <logger name=\"kafka.request.logger\" level=\"WARN\"/>",
            "  <logger name=\"state.change.logger\" level=\"WARN\"/>",
            "  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>",
            "</configuration>",
            "");

    /** For the few Kafka classes that talk to log4j2 directly; keeps its status logger quiet. */
    private static final String LOG4J2_PROPERTIES = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{ISO8601} %-5level [%t] %c{1.} - %m%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = OUT",
            "");
}
