package io.meridian.chaos.fault;

import io.meridian.chaos.workload.HttpApi;
import io.meridian.node.LocalDeployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The harness's own deployment: a {@link LocalDeployment} (ZooKeeper in this JVM, a KRaft controller and three
 * brokers, one or more nodes per region configured as {@code meridian local --nodes-per-region} does, each a child
 * process) in the harness's own directory, on free ports, so it never collides with {@code meridian local}. Adds
 * what faults need: the pid of a broker or a node, the controller's region, restarts that wait for readiness, and a
 * restart of everything on the same state. A region's "node" below means all its nodes (a node fault takes the
 * region's processing away, as with one node); the member methods act on one node of it. Not thread-safe: the
 * fault scheduler is its only user while a run lasts.
 */
public final class ChaosDeployment implements AutoCloseable {
    public static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
    /** Partitions of {@code meridian.wal} in the deployment (as {@code meridian local} provisions it). */
    public static final int WAL_PARTITIONS = 12;

    private final Path dir;
    private final int basePort;
    private final String token;
    private final Map<String, String> settings;
    private final int nodesPerRegion;
    private final HttpApi api;
    private final Processes processes = new Processes();
    private LocalDeployment local;
    private DiskFull diskFull;

    private ChaosDeployment(Path dir, int basePort, String token, Map<String, String> settings, int nodesPerRegion) {
        this.dir = dir.toAbsolutePath();
        this.basePort = basePort;
        this.token = token;
        this.settings = Map.copyOf(settings);
        this.nodesPerRegion = nodesPerRegion;
        this.api = new HttpApi(token, Duration.ofSeconds(5));
    }

    /** Starts a deployment of one node per region whose nodes all get {@code settings}; waits until all are ready. */
    public static ChaosDeployment start(Path dir, Map<String, String> settings) {
        return start(dir, settings, 1);
    }

    /**
     * Starts a deployment of {@code nodesPerRegion} nodes per region (1 to
     * {@value LocalDeployment#MAX_NODES_PER_REGION}) whose nodes all get {@code settings}, and waits until every node
     * is ready.
     */
    public static ChaosDeployment start(Path dir, Map<String, String> settings, int nodesPerRegion) {
        if (nodesPerRegion < 1 || nodesPerRegion > LocalDeployment.MAX_NODES_PER_REGION) {
            throw new IllegalArgumentException("nodes per region must be 1 to "
                    + LocalDeployment.MAX_NODES_PER_REGION + ", got " + nodesPerRegion);
        }
        int ports = LocalDeployment.REGIONS.size() * nodesPerRegion;
        ChaosDeployment deployment = new ChaosDeployment(dir, LocalDeployment.freeBasePort(30000, 32000, ports),
                "chaos-" + Long.toHexString(ThreadLocalRandom.current().nextLong()), settings, nodesPerRegion);
        deployment.diskFull = DiskFull.mount(deployment.dir.resolve("state"), deployment.regions());
        try {
            deployment.startLocal();
        } catch (RuntimeException e) {
            deployment.diskFull.close();
            throw e;
        }
        return deployment;
    }

    private void startLocal() {
        local = new LocalDeployment(dir, basePort, token, settings, nodesPerRegion);
        try {
            local.start();
            local.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    public List<String> regions() {
        return LocalDeployment.REGIONS;
    }

    public int nodesPerRegion() {
        return nodesPerRegion;
    }

    /** Each region's URL (its first node's, the one the nodes' {@code regions} setting names). */
    public Map<String, String> regionUrls() {
        Map<String, String> urls = new LinkedHashMap<>();
        regions().forEach(r -> urls.put(r, local.url(r)));
        return urls;
    }

    /** The URLs of every node of each region, the first node's first. */
    public Map<String, List<String>> nodeUrls() {
        Map<String, List<String>> urls = new LinkedHashMap<>();
        for (String region : regions()) {
            List<String> nodes = new ArrayList<>();
            for (int index = 0; index < nodesPerRegion; index++) {
                nodes.add(local.url(region, index));
            }
            urls.put(region, List.copyOf(nodes));
        }
        return urls;
    }

    /** The index (from 0) of the node of {@code region} whose {@code node.id} is {@code nodeId}, if one is. */
    public Optional<Integer> memberIndex(String region, String nodeId) {
        for (int index = 0; index < nodesPerRegion; index++) {
            if (LocalDeployment.nodeId(region, index).equals(nodeId)) {
                return Optional.of(index);
            }
        }
        return Optional.empty();
    }

    public String adminToken() {
        return token;
    }

    public String bootstrapServers() {
        return local.kafka().bootstrapServers();
    }

    public LocalDeployment local() {
        return local;
    }

    /** The tmpfs under each node's applier state, for the full-disk fault (or why there is none). */
    public DiskFull diskFull() {
        return diskFull;
    }

    public Processes processes() {
        return processes;
    }

    public Path dir() {
        return dir;
    }

    public long brokerPid(int index) {
        String config = local.kafka().brokerLogFile(index).getParent().resolve("server.properties").toString();
        return Processes.find(config).orElseThrow(() -> new IllegalStateException("broker " + index + " is not running"));
    }

    /** The pid of the region's first node. */
    public Optional<Long> nodePid(String region) {
        return memberPid(region, 0);
    }

    /** The pid of node {@code index} (from 0) of {@code region}. */
    public Optional<Long> memberPid(String region, int index) {
        return Processes.find(nodeConfig(region, index).toString());
    }

    /** The pids of every running node of {@code region}. */
    public List<Long> nodePids(String region) {
        List<Long> pids = new ArrayList<>();
        for (int index = 0; index < nodesPerRegion; index++) {
            memberPid(region, index).ifPresent(pids::add);
        }
        return pids;
    }

    /** The configuration file of node {@code index} of {@code region}. */
    public Path nodeConfig(String region, int index) {
        return dir.resolve("nodes").resolve(LocalDeployment.nodeName(region, index) + ".properties");
    }

    /** The region of the elected controller, as the first node that answers says; empty while none is known. */
    public Optional<String> controllerRegion() {
        for (String region : regions()) {
            var answer = api.send("GET", local.url(region) + "/admin/replication/election", null, Map.of());
            String leader = answer.json().path("leaderRegion").asText("");
            if (answer.ok() && !leader.isEmpty() && !"null".equals(leader)) {
                return Optional.of(leader);
            }
        }
        return Optional.empty();
    }

    /** The node id of the elected controller, as the first node that answers says; empty while none is known. */
    public Optional<String> controllerNode() {
        for (List<String> urls : nodeUrls().values()) {
            for (String url : urls) {
                var answer = api.send("GET", url + "/admin/replication/election", null, Map.of());
                String leader = answer.json().path("leaderNodeId").asText("");
                if (answer.ok() && !leader.isEmpty() && !"null".equals(leader)) {
                    return Optional.of(leader);
                }
            }
        }
        return Optional.empty();
    }

    /** kill -9 of every node of a region; the first node's pid (-1 when it was not running). */
    public long killNode(String region) {
        long first = memberPid(region, 0).orElse(-1L);
        for (int index = 0; index < nodesPerRegion; index++) {
            killMember(region, index);
        }
        return first;
    }

    /** kill -9 of node {@code index} (from 0) of {@code region}; its pid (-1 when it was not running). */
    public long killMember(String region, int index) {
        long pid = memberPid(region, index).orElse(-1L);
        if (pid > 0) {
            processes.kill(pid);
        }
        return pid;
    }

    /** Starts every node of a region again (those not running) and waits until each answers ready. */
    public void restartNode(String region) {
        restartNode(region, READY_TIMEOUT);
    }

    /** As {@link #restartNode(String)}, waiting at most {@code timeout}. */
    public void restartNode(String region, Duration timeout) {
        for (int index = 0; index < nodesPerRegion; index++) {
            if (memberPid(region, index).isEmpty()) {
                local.startNode(region, index);
            }
        }
        awaitReady(region, timeout);
    }

    /** Starts node {@code index} of {@code region} again (if it is not running) and waits until it answers ready. */
    public void restartMember(String region, int index, Duration timeout) {
        if (memberPid(region, index).isEmpty()) {
            local.startNode(region, index);
        }
        awaitReady(region, index, timeout);
    }

    public void restartBroker(int index) {
        local.kafka().startBroker(index);
    }

    /** Stops everything (nodes, brokers, ZooKeeper) and starts it again on the same directory and ports. */
    public void restartAll() {
        processes.resumeAll();
        local.close();
        startLocal();
    }

    /** Waits until every node of {@code region} answers {@code /health/ready} with 200. */
    public void awaitReady(String region, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int index = 0; index < nodesPerRegion; index++) {
            awaitReady(region, index, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /** Waits until node {@code index} of {@code region} answers {@code /health/ready} with 200. */
    public void awaitReady(String region, int index, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String name = LocalDeployment.nodeName(region, index);
        while (api.send("GET", local.url(region, index) + "/health/ready", null, Map.of()).status() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + name + " not ready after " + timeout.toSeconds()
                        + " s; see " + local.logFile(name));
            }
            pause(Duration.ofMillis(300));
        }
    }

    public void awaitAllReady(Duration timeout) {
        regions().forEach(r -> awaitReady(r, timeout));
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        processes.resumeAll();
        if (local != null) {
            local.close();
        }
        if (diskFull != null) {
            diskFull.close();
        }
    }

}
