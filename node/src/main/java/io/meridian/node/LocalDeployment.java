package io.meridian.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.cluster.ChildProcesses;
import io.meridian.infra.cluster.ClassDataArchive;
import io.meridian.infra.cluster.EmbeddedZooKeeper;
import io.meridian.infra.cluster.JvmFootprint;
import io.meridian.infra.cluster.KafkaProcessCluster;
import io.meridian.infra.cluster.KafkaProcessClusterBuilder;
import io.meridian.infra.cluster.LeftoverProcesses;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meridian on one machine: a real ZooKeeper (in this JVM), three real KRaft brokers (child processes, {@code broker.rack}
 * = region) and one or more nodes per region, each its own child JVM so that killing one is a real crash. Everything
 * lives under one data directory that a restart reuses: besides the state, each node's pid ({@code nodes/<region>.pid},
 * so that the next launcher waits for the nodes of one that was killed) and the nodes' class data archive
 * ({@code cds/}). Not thread-safe; {@link #close} is idempotent.
 */
public final class LocalDeployment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDeployment.class);
    public static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    /**
     * A node's JVM ({@link JvmFootprint}): ~40 MiB of live heap and ~55 MiB of metaspace were measured under a write
     * load; the heap may grow to 384 MiB for bursts (a restore, a backlog in the producers' buffers). RocksDB's
     * off-heap memory has a bound of its own (BoundedRocksDBMemory). C1 only, unless {@link #fullJit}: C2 compiling the
     * start's code took ~20 of the ~50 CPU seconds a restart of the whole deployment costs on two cores (restarts
     * 27.5-32.8 s with C2, 18.4-23.5 s without, 2026-12-04), for no measurable gain in a local trial.
     */
    static List<String> nodeJvmOptions(boolean fullJit) {
        return JvmFootprint.serverOptions("32m", "384m", "128m", !fullJit);
    }
    /**
     * The node's own logging configuration (io.meridian at INFO), named by where {@link NodeCommand} was loaded from:
     * on a test classpath a logback-test.xml would otherwise win and keep every node's log to warnings (a restart
     * test waited 120 s for an INFO line that was never written), and the CLI's logback.xml may come first.
     */
    private static final String NODE_LOGGING = nodeLogging();
    private static final Duration LEFTOVER_PATIENCE = Duration.ofSeconds(30);
    /** How much of a node's log a failed start quotes. */
    private static final int LOG_TAIL_LINES = 40;
    public static final int MAX_NODES_PER_REGION = 4;

    private final Path dataDir;
    private final int basePort;
    private final String adminToken;
    private final Map<String, String> nodeSettings;
    /** Settings of one region's nodes on top of {@link #nodeSettings}. */
    private final Map<String, Map<String, String>> regionSettings = new LinkedHashMap<>();
    /** Nodes per region, every region named. */
    private final Map<String, Integer> nodeCounts;
    private final ClassDataArchive classData;
    private boolean fullJit;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    private final Map<String, Path> nodeConfigs = new LinkedHashMap<>();
    /** Nodes stopped or killed on purpose in a region that has others: {@link #awaitReady} does not wait for them. */
    private final java.util.Set<String> stopped = new java.util.HashSet<>();
    private EmbeddedZooKeeper zookeeper;
    private KafkaProcessCluster kafka;
    private boolean closed;

    /**
     * @param adminToken the admin token; null or empty: reuse the one stored in the data directory, or make one
     */
    public LocalDeployment(Path dataDir, int basePort, String adminToken) {
        this(dataDir, basePort, adminToken, Map.of());
    }

    /** @param nodeSettings configuration keys every node gets on top of the local defaults (tests tune timings) */
    public LocalDeployment(Path dataDir, int basePort, String adminToken, Map<String, String> nodeSettings) {
        this(dataDir, basePort, adminToken, nodeSettings, 1);
    }

    /**
     * @param nodesPerRegion nodes in every region (1 to {@value #MAX_NODES_PER_REGION}); node {@code i} (from 0) of
     *                       region {@code r} listens on {@code basePort + i * 3 + index of r}, so the first nodes keep
     *                       the ports of a one-node deployment and no two nodes share one
     */
    public LocalDeployment(Path dataDir, int basePort, String adminToken, Map<String, String> nodeSettings,
                           int nodesPerRegion) {
        this(dataDir, basePort, adminToken, nodeSettings, REGIONS.stream()
                .collect(Collectors.toMap(region -> region, region -> nodesPerRegion)));
    }

    /**
     * @param nodeCounts nodes of each region (1 to {@value #MAX_NODES_PER_REGION}); regions not named have one. Ports
     *                   as in a deployment with the largest count everywhere
     */
    public LocalDeployment(Path dataDir, int basePort, String adminToken, Map<String, String> nodeSettings,
                           Map<String, Integer> nodeCounts) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String region : REGIONS) {
            int count = nodeCounts.getOrDefault(region, 1);
            if (count < 1 || count > MAX_NODES_PER_REGION) {
                throw new IllegalArgumentException("nodes per region must be 1 to " + MAX_NODES_PER_REGION + ", got "
                        + count + " for " + region);
            }
            counts.put(region, count);
        }
        int most = counts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        if (basePort < 1 || basePort + REGIONS.size() * most - 1 > 65_535) {
            throw new IllegalArgumentException("base port " + basePort + " leaves no room for "
                    + REGIONS.size() * most + " node ports below 65536");
        }
        this.nodeCounts = Map.copyOf(counts);
        this.dataDir = dataDir.toAbsolutePath();
        this.basePort = basePort;
        this.adminToken = adminToken == null || adminToken.isEmpty() ? storedToken(this.dataDir) : adminToken;
        this.nodeSettings = Map.copyOf(nodeSettings);
        this.classData = ClassDataArchive.of(this.dataDir.resolve("cds"), "node", System.getProperty("java.class.path"));
    }

    /**
     * Gives {@code region}'s nodes {@code settings} on top of those for every node, from their next (re)start on.
     *
     * @return this
     */
    /**
     * Nodes compile their hot code with C2, as a production JVM does: for benchmarks, whose figures should be a
     * production node's. Starts take longer (see {@link #nodeJvmOptions}). Before {@link #start}.
     */
    public LocalDeployment fullJit() {
        this.fullJit = true;
        return this;
    }

    public LocalDeployment regionSettings(String region, Map<String, String> settings) {
        if (!REGIONS.contains(region)) {
            throw new IllegalArgumentException("no region " + region + " in " + REGIONS);
        }
        regionSettings.put(region, Map.copyOf(settings));
        return this;
    }

    public void start() {
        zookeeper = EmbeddedZooKeeper.start(dataDir.resolve("zookeeper"), 0);
        // No hook of its own: close() stops the nodes first, then the brokers.
        // --full-jit: the brokers compile with C2 too, as production brokers do (benchmarks compare against them).
        kafka = KafkaProcessClusterBuilder.forDataDir(dataDir.resolve("kafka")).racks(REGIONS).shutdownHook(false)
                .fastStartup(!fullJit).build();
        kafka.start();
        LOG.info("kafka up at {}, zookeeper at {}", kafka.bootstrapServers(), zookeeper.connectString());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2));
        }
        for (int index = 0; index < mostNodes(); index++) {
            for (String region : REGIONS) {
                if (index < nodeCount(region)) {
                    String node = nodeName(region, index);
                    nodeConfigs.put(node, writeNodeConfig(region, index));
                    startNode(region, index);
                }
            }
        }
    }

    /** How many nodes {@code region} has. */
    public int nodeCount(String region) {
        return nodeCounts.getOrDefault(region, 0);
    }

    private int mostNodes() {
        return nodeCounts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    private static String nodeLogging() {
        try {
            URI codeSource = NodeCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            Path location = Path.of(codeSource);
            return Files.isDirectory(location) ? location.resolve("logback.xml").toUri().toString()
                    : "jar:" + codeSource + "!/logback.xml";
        } catch (URISyntaxException | RuntimeException e) {
            return "logback.xml";  // the first one on the classpath
        }
    }

    /**
     * The name of node {@code index} (from 0) of {@code region}, used for its log, pid and configuration files: the
     * region for the first node (as in a one-node deployment), {@code <region>-<index + 1>} for the others.
     */
    public static String nodeName(String region, int index) {
        return index == 0 ? region : region + "-" + (index + 1);
    }

    /** The node id ({@code node.id}) of node {@code index} of {@code region}. */
    public static String nodeId(String region, int index) {
        return region + "-" + (index + 1);
    }

    /**
     * Waits until every node answers {@code /health/ready} with 200, then until every node sees every region healthy
     * ({@code /v1/replication/health}): a node heartbeats only once its applier runs, and a migration or failover
     * needs healthy regions, so "ready" means a user can do all of it at once.
     */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String region : REGIONS) {
            for (int index = 0; index < nodeCount(region); index++) {
                if (!stopped.contains(nodeName(region, index))) {
                    awaitAnswer(http, region, index, "/health/ready", body -> true, "not ready", deadline, timeout);
                }
            }
        }
        for (String region : REGIONS) {
            for (int index = 0; index < nodeCount(region); index++) {
                if (!stopped.contains(nodeName(region, index))) {
                    awaitAnswer(http, region, index, "/v1/replication/health", LocalDeployment::allRegionsHealthy,
                            "does not see every region healthy", deadline, timeout);
                }
            }
        }
    }

    private void awaitAnswer(HttpClient http, String region, int index, String path, Predicate<String> accepted,
                             String failure, long deadline, Duration timeout) {
        URI uri = URI.create(url(region, index) + path);
        String name = nodeName(region, index);
        while (true) {
            Process node = nodes.get(name);
            if (!node.isAlive()) {
                throw new IllegalStateException("node " + name + " exited with " + node.exitValue()
                        + "; see " + logFile(name) + ", which ends:\n" + tail(logFile(name), LOG_TAIL_LINES));
            }
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && accepted.test(answer.body())) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + region, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + name + " " + failure + " after " + timeout.toSeconds()
                        + " s; see " + logFile(name));
            }
            sleep(Duration.ofMillis(500));
        }
    }

    private static boolean allRegionsHealthy(String replicationHealth) {
        JsonNode regions = Json.readTree(replicationHealth.getBytes(StandardCharsets.UTF_8)).path("regions");
        if (regions.size() != REGIONS.size()) {
            return false;
        }
        for (JsonNode region : regions) {
            if (!region.path("healthy").asBoolean(false)) {
                return false;
            }
        }
        return true;
    }

    /** Starts (or restarts) the (first) node of {@code region} as a child JVM. */
    public void startNode(String region) {
        startNode(region, 0);
    }

    /** Starts (or restarts) node {@code index} (from 0) of {@code region} as a child JVM. */
    public void startNode(String region, int index) {
        String name = nodeName(region, index);
        stopped.remove(name);
        Process old = nodes.get(name);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("node " + name + " is running");
        }
        // A node of a launcher that was killed halts within a second; until then it holds its port and state.
        LeftoverProcesses.awaitGone(pidFile(name), LEFTOVER_PATIENCE);
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(nodeJvmOptions(fullJit));
        // One archive for all nodes (one classpath); the first region's first node writes it.
        command.addAll(classData.jvmOptions(name.equals(REGIONS.get(0))));
        command.addAll(List.of("-Dmeridian.region=" + region, "-Dlogback.configurationFile=" + NODE_LOGGING,
                "-cp", System.getProperty("java.class.path"), NodeCommand.class.getName(),
                "--config", nodeConfigs.get(name).toString(),
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.detached(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(name).toFile()));
        // The node's file is its whole configuration: the launcher's own MERIDIAN_* settings must not leak in.
        builder.environment().keySet().removeIf(variable -> variable.startsWith(MeridianConfig.ENV_PREFIX));
        builder.environment().putAll(JvmFootprint.environment());
        try {
            Process node = builder.start();
            nodes.put(name, node);
            LeftoverProcesses.record(pidFile(name), node.toHandle());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + name, e);
        }
    }

    /** kill -9 of a region's (first) node: a real crash. */
    public void killNode(String region) {
        killNode(region, 0);
    }

    /** kill -9 of node {@code index} of {@code region}: a real crash. */
    public void killNode(String region, int index) {
        Process node = nodes.get(nodeName(region, index));
        markStopped(region, index);
        node.destroyForcibly();
        waitFor(node, Duration.ofSeconds(30));
    }

    // A one-node region's node stopped on purpose is still awaited (and reported as exited), as it always was.
    private void markStopped(String region, int index) {
        if (nodeCount(region) > 1) {
            stopped.add(nodeName(region, index));
        }
    }

    /** Whether node {@code index} of {@code region} was started and has not ended. */
    public boolean isRunning(String region, int index) {
        Process node = nodes.get(nodeName(region, index));
        return node != null && node.isAlive();
    }

    /** The process of node {@code index} of {@code region}, if started. */
    public java.util.Optional<ProcessHandle> nodeProcess(String region, int index) {
        return java.util.Optional.ofNullable(nodes.get(nodeName(region, index))).map(Process::toHandle);
    }

    /** SIGTERM of a region's (first) node: a graceful stop. */
    public void stopNode(String region) {
        stopNode(region, 0);
    }

    /** SIGTERM of node {@code index} of {@code region}: a graceful stop. */
    public void stopNode(String region, int index) {
        Process node = nodes.get(nodeName(region, index));
        markStopped(region, index);
        node.destroy();
        if (waitFor(node, Duration.ofSeconds(30))) {
            classData.publish();  // a node that ended on its own wrote its class data archive whole, if it wrote one
        } else {
            node.destroyForcibly();
            waitFor(node, Duration.ofSeconds(10));
        }
    }

    /** The region's URL: its first node's. */
    public String url(String region) {
        return url(region, 0);
    }

    public String url(String region, int index) {
        return "http://127.0.0.1:" + port(region, index);
    }

    public int port(String region) {
        return port(region, 0);
    }

    public int port(String region, int index) {
        return basePort + index * REGIONS.size() + REGIONS.indexOf(region);
    }

    public String adminToken() {
        return adminToken;
    }

    public KafkaProcessCluster kafka() {
        return kafka;
    }

    public EmbeddedZooKeeper zookeeper() {
        return zookeeper;
    }

    /** Who runs the node named {@code node} ({@link #nodeName}), for the next launcher (see {@link LeftoverProcesses}). */
    Path pidFile(String node) {
        return dataDir.resolve("nodes").resolve(node + ".pid");
    }

    /** The log of the node named {@code node} ({@link #nodeName}; a region's name for its first node). */
    /** The last {@code lines} lines of {@code file}, or why they cannot be read: a failed start says why at once. */
    static String tail(Path file, int lines) {
        try (Stream<String> all = Files.lines(file)) {
            ArrayDeque<String> last = new ArrayDeque<>(lines);
            all.forEach(line -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
            return String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    public Path logFile(String node) {
        return dataDir.resolve("logs").resolve(node + ".log");
    }

    public Path dataDir() {
        return dataDir;
    }

    private Path writeNodeConfig(String region, int index) {
        String name = nodeName(region, index);
        Properties props = new Properties();
        props.setProperty(MeridianConfig.REGION, region);
        props.setProperty(MeridianConfig.NODE_ID, nodeId(region, index));
        props.setProperty(MeridianConfig.REGIONS, REGIONS.stream().map(r -> r + "=" + url(r))
                .collect(Collectors.joining(",")));
        props.setProperty(RouterConfigs.HTTP_HOST, "127.0.0.1");
        props.setProperty(RouterConfigs.HTTP_PORT, Integer.toString(port(region, index)));
        // Each node its own URL: the other nodes of its region forward data requests there, and it may be controller.
        props.setProperty(MeridianConfig.ADVERTISED_URL, url(region, index));
        props.setProperty(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        props.setProperty(ElectionConfigs.ZOOKEEPER_CONNECT, zookeeper.connectString());
        props.setProperty(MeridianConfig.STATE_DIR, dataDir.resolve("state").toString());
        props.setProperty(SecurityConfigs.ADMIN_TOKEN, adminToken);
        // One machine: failure detection can be quicker than across real regions.
        props.setProperty(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS, "6000");
        props.setProperty(ControllerConfigs.FAILOVER_LEADER_TIMEOUT_MS, "5000");
        if (nodeCounts.get(region) == 1) {
            // No other node to keep a standby on: Streams would warn, task by task, at every rebalance that it cannot.
            props.setProperty(MeridianConfig.STREAMS_NUM_STANDBY_REPLICAS, "0");
        }
        nodeSettings.forEach(props::setProperty);
        regionSettings.getOrDefault(region, Map.of()).forEach(props::setProperty);
        Path file = dataDir.resolve("nodes").resolve(name + ".properties");
        try {
            Files.createDirectories(file.getParent());
            Files.createDirectories(logFile(name).getParent());
            try (Writer out = Files.newBufferedWriter(file)) {
                props.store(out, "written by 'meridian local' at every start");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static String storedToken(Path dataDir) {
        Path file = dataDir.resolve("admin-token");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] bytes = new byte[16];
            new SecureRandom().nextBytes(bytes);
            String token = HexFormat.of().formatHex(bytes);
            Files.createDirectories(dataDir);
            Files.writeString(file, token);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.values().forEach(Process::destroy);
        boolean allEnded = true;
        for (Process node : nodes.values()) {
            if (!waitFor(node, Duration.ofSeconds(30))) {
                node.destroyForcibly();
                allEnded = false;
            }
        }
        if (allEnded) {
            classData.publish();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    /**
     * The first of three consecutive free loopback ports in [{@code from}, {@code to}): room for the three nodes of a
     * deployment beside another one. Keep below Linux's ephemeral range, where the brokers' free ports come from.
     */
    public static int freeBasePort(int from, int to) {
        return freeBasePort(from, to, REGIONS.size());
    }

    /** The first of {@code count} consecutive free loopback ports in [{@code from}, {@code to}). */
    public static int freeBasePort(int from, int to, int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = java.util.concurrent.ThreadLocalRandom.current().nextInt(from, to - count + 1);
            boolean allFree = true;
            for (int port = base; port < base + count && allFree; port++) {
                allFree = free(port);
            }
            if (allFree) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports between " + from + " and " + to);
    }

    private static boolean free(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
