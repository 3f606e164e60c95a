package io.meridian.chaos.fault;

import io.meridian.chaos.workload.HttpApi;
import io.meridian.node.LocalDeployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The harness's own deployment: a {@link LocalDeployment} (ZooKeeper in this JVM, a KRaft controller and three
 * brokers, one node per region, each a child process) in the harness's own directory, on free ports, so it never
 * collides with {@code meridian local}. Adds what faults need: the pid of a broker or a node, the controller's
 * region, restarts that wait for readiness, and a restart of everything on the same state. Not thread-safe: the
 * fault scheduler is its only user while a run lasts.
 */
public final class ChaosDeployment implements AutoCloseable {
    public static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

    private final Path dir;
    private final int basePort;
    private final String token;
    private final Map<String, String> settings;
    private final HttpApi api;
    private final Processes processes = new Processes();
    private LocalDeployment local;
    private DiskFull diskFull;

    private ChaosDeployment(Path dir, int basePort, String token, Map<String, String> settings) {
        this.dir = dir.toAbsolutePath();
        this.basePort = basePort;
        this.token = token;
        this.settings = Map.copyOf(settings);
        this.api = new HttpApi(token, Duration.ofSeconds(5));
    }

    /** Starts a deployment whose nodes all get {@code settings}, and waits until every node is ready. */
    public static ChaosDeployment start(Path dir, Map<String, String> settings) {
        ChaosDeployment deployment = new ChaosDeployment(dir, LocalDeployment.freeBasePort(30000, 32000), "chaos-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong()), settings);
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
        local = new LocalDeployment(dir, basePort, token, settings);
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

    public Map<String, String> regionUrls() {
        Map<String, String> urls = new LinkedHashMap<>();
        regions().forEach(r -> urls.put(r, local.url(r)));
        return urls;
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

    public Optional<Long> nodePid(String region) {
        return Processes.find(dir.resolve("nodes").resolve(region + ".properties").toString());
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

    /** kill -9 of a region's node. */
    public long killNode(String region) {
        long pid = nodePid(region).orElse(-1L);
        if (pid > 0) {
            processes.kill(pid);
        }
        return pid;
    }

    /** Starts a region's node again (if it is not running) and waits until it answers ready. */
    public void restartNode(String region) {
        restartNode(region, READY_TIMEOUT);
    }

    /** As {@link #restartNode(String)}, waiting at most {@code timeout}. */
    public void restartNode(String region, Duration timeout) {
        if (nodePid(region).isEmpty()) {
            local.startNode(region);
        }
        awaitReady(region, timeout);
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

    /** Waits until {@code region}'s node answers {@code /health/ready} with 200. */
    public void awaitReady(String region, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (api.send("GET", local.url(region) + "/health/ready", null, Map.of()).status() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + region + " not ready after " + timeout.toSeconds()
                        + " s; see " + local.logFile(region));
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
