package io.meridian.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.cluster.ChildProcesses;
import io.meridian.infra.cluster.ClassDataArchive;
import io.meridian.infra.cluster.EmbeddedZooKeeper;
import io.meridian.infra.cluster.JvmFootprint;
import io.meridian.infra.cluster.KafkaProcessCluster;
import io.meridian.infra.cluster.KafkaProcessClusterBuilder;
import io.meridian.infra.cluster.LeftoverProcesses;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meridian on one machine: a real ZooKeeper (in this JVM), three real KRaft brokers (child processes, {@code broker.rack}
 * = region) and one region node per region, each its own child JVM so that killing one is a real crash. Everything
 * lives under one data directory that a restart reuses: besides the state, each node's pid ({@code nodes/<region>.pid},
 * so that the next launcher waits for the nodes of one that was killed) and the nodes' class data archive
 * ({@code cds/}). Not thread-safe; {@link #close} is idempotent.
 */
public final class LocalDeployment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDeployment.class);
    public static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    /**
     * A node's JVM ({@link JvmFootprint}): ~40 MiB of live heap and ~55 MiB of metaspace were measured under a write
     * load; the heap may grow to 384 MiB for bursts (a restore, a backlog in the producers' buffers). C2 stays on: the
     * router and applier are the hot code. RocksDB's off-heap memory has a bound of its own (BoundedRocksDBMemory).
     */
    static final List<String> NODE_JVM_OPTIONS = JvmFootprint.serverOptions("32m", "384m", "128m", false);
    private static final Duration LEFTOVER_PATIENCE = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int basePort;
    private final String adminToken;
    private final Map<String, String> nodeSettings;
    private final ClassDataArchive classData;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    private final Map<String, Path> nodeConfigs = new LinkedHashMap<>();
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
        this.dataDir = dataDir.toAbsolutePath();
        this.basePort = basePort;
        this.adminToken = adminToken == null || adminToken.isEmpty() ? storedToken(this.dataDir) : adminToken;
        this.nodeSettings = Map.copyOf(nodeSettings);
        this.classData = ClassDataArchive.of(this.dataDir.resolve("cds"), "node", System.getProperty("java.class.path"));
    }

    public void start() {
        zookeeper = EmbeddedZooKeeper.start(dataDir.resolve("zookeeper"), 0);
        // No hook of its own: close() stops the nodes first, then the brokers.
        kafka = KafkaProcessClusterBuilder.forDataDir(dataDir.resolve("kafka")).racks(REGIONS).shutdownHook(false).build();
        kafka.start();
        LOG.info("kafka up at {}, zookeeper at {}", kafka.bootstrapServers(), zookeeper.connectString());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2));
        }
        for (String region : REGIONS) {
            nodeConfigs.put(region, writeNodeConfig(region));
            startNode(region);
        }
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
            awaitAnswer(http, region, "/health/ready", body -> true, "not ready", deadline, timeout);
        }
        for (String region : REGIONS) {
            awaitAnswer(http, region, "/v1/replication/health", LocalDeployment::allRegionsHealthy,
                    "does not see every region healthy", deadline, timeout);
        }
    }

    private void awaitAnswer(HttpClient http, String region, String path, Predicate<String> accepted, String failure,
                             long deadline, Duration timeout) {
        URI uri = URI.create(url(region) + path);
        while (true) {
            Process node = nodes.get(region);
            if (!node.isAlive()) {
                throw new IllegalStateException("node " + region + " exited with " + node.exitValue()
                        + "; see " + logFile(region));
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
                throw new IllegalStateException("node " + region + " " + failure + " after " + timeout.toSeconds()
                        + " s; see " + logFile(region));
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

    /** Starts (or restarts) the node of {@code region} as a child JVM. */
    public void startNode(String region) {
        Process old = nodes.get(region);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("node " + region + " is running");
        }
        // A node of a launcher that was killed halts within a second; until then it holds its port and state.
        LeftoverProcesses.awaitGone(pidFile(region), LEFTOVER_PATIENCE);
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(NODE_JVM_OPTIONS);
        // One archive for the three nodes (one classpath); the first region's node writes it.
        command.addAll(classData.jvmOptions(region.equals(REGIONS.get(0))));
        command.addAll(List.of("-Dmeridian.region=" + region,
                "-cp", System.getProperty("java.class.path"), NodeCommand.class.getName(),
                "--config", nodeConfigs.get(region).toString(),
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.detached(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(region).toFile()));
        // The node's file is its whole configuration: the launcher's own MERIDIAN_* settings must not leak in.
        builder.environment().keySet().removeIf(name -> name.startsWith(MeridianConfig.ENV_PREFIX));
        builder.environment().putAll(JvmFootprint.environment());
        try {
            Process node = builder.start();
            nodes.put(region, node);
            LeftoverProcesses.record(pidFile(region), node.toHandle());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the node of " + region, e);
        }
    }

    /** kill -9 of a region's node: a real crash. */
    public void killNode(String region) {
        Process node = nodes.get(region);
        node.destroyForcibly();
        waitFor(node, Duration.ofSeconds(30));
    }

    /** SIGTERM of a region's node: a graceful stop. */
    public void stopNode(String region) {
        Process node = nodes.get(region);
        node.destroy();
        if (waitFor(node, Duration.ofSeconds(30))) {
            classData.publish();  // a node that ended on its own wrote its class data archive whole, if it wrote one
        } else {
            node.destroyForcibly();
            waitFor(node, Duration.ofSeconds(10));
        }
    }

    public String url(String region) {
        return "http://127.0.0.1:" + port(region);
    }

    public int port(String region) {
        return basePort + REGIONS.indexOf(region);
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

    /** Who runs the node of {@code region}, for the next launcher (see {@link LeftoverProcesses}). */
    Path pidFile(String region) {
        return dataDir.resolve("nodes").resolve(region + ".pid");
    }

    public Path logFile(String region) {
        return dataDir.resolve("logs").resolve(region + ".log");
    }

    public Path dataDir() {
        return dataDir;
    }

    private Path writeNodeConfig(String region) {
        Properties props = new Properties();
        props.setProperty(MeridianConfig.REGION, region);
        props.setProperty(MeridianConfig.NODE_ID, region + "-1");
        props.setProperty(MeridianConfig.REGIONS, REGIONS.stream().map(r -> r + "=" + url(r))
                .collect(Collectors.joining(",")));
        props.setProperty(MeridianConfig.HTTP_HOST, "127.0.0.1");
        props.setProperty(MeridianConfig.HTTP_PORT, Integer.toString(port(region)));
        props.setProperty(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        props.setProperty(MeridianConfig.ZOOKEEPER_CONNECT, zookeeper.connectString());
        props.setProperty(MeridianConfig.STATE_DIR, dataDir.resolve("state").toString());
        props.setProperty(MeridianConfig.ADMIN_TOKEN, adminToken);
        // One machine: failure detection can be quicker than across real regions.
        props.setProperty(MeridianConfig.ZOOKEEPER_SESSION_TIMEOUT_MS, "6000");
        props.setProperty(MeridianConfig.FAILOVER_LEADER_TIMEOUT_MS, "5000");
        nodeSettings.forEach(props::setProperty);
        Path file = dataDir.resolve("nodes").resolve(region + ".properties");
        try {
            Files.createDirectories(file.getParent());
            Files.createDirectories(logFile(region).getParent());
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
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = java.util.concurrent.ThreadLocalRandom.current().nextInt(from, to - 2);
            if (free(base) && free(base + 1) && free(base + 2)) {
                return base;
            }
        }
        throw new IllegalStateException("no three consecutive free ports between " + from + " and " + to);
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
