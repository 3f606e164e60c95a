package io.meridian.bench;

import io.meridian.node.LocalDeployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * A {@link LocalDeployment} of the benchmark's own (ZooKeeper, three broker processes, three region node processes)
 * in a temporary directory on free ports, so it disturbs nothing else on the machine; {@link #close} stops it and
 * deletes the directory, unless {@code -Dmeridian.keep.deployment=true} keeps it (node logs, Kafka data) for a
 * post-mortem, as it does for the tests. Not thread-safe; close is idempotent.
 */
final class BenchDeployment implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

    private final Path dir;
    private final LocalDeployment local;
    private final NodeApi api;
    private boolean closed;

    private BenchDeployment(Path dir, LocalDeployment local, NodeApi api) {
        this.dir = dir;
        this.local = local;
        this.api = api;
    }

    /** Starts a deployment whose nodes all get {@code settings} and waits until every node is ready. */
    static BenchDeployment start(Map<String, String> settings) {
        Path dir;
        try {
            dir = Files.createTempDirectory("meridian-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        int basePort = LocalDeployment.freeBasePort(20000, 30000);
        LocalDeployment local = new LocalDeployment(dir, basePort, token, settings).fullJit();
        BenchDeployment deployment = new BenchDeployment(dir, local, new NodeApi(token));
        long started = System.nanoTime();
        Progress.line("starting a deployment in %s (nodes on ports %d-%d) with %s", dir, basePort, basePort + 2,
                settings);
        try {
            local.start();
            local.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException e) {
            deployment.close();
            throw e;
        }
        Progress.line("deployment ready in %.0f s; kafka %s", (System.nanoTime() - started) / 1e9,
                local.kafka().bootstrapServers());
        return deployment;
    }

    LocalDeployment local() {
        return local;
    }

    NodeApi api() {
        return api;
    }

    String url(String region) {
        return local.url(region);
    }

    String bootstrap() {
        return local.kafka().bootstrapServers();
    }

    /** Restarts a stopped or killed node and waits until every node is ready. */
    void restart(String region) {
        long started = System.nanoTime();
        local.startNode(region);
        local.awaitReady(READY_TIMEOUT);
        Progress.line("  %s restarted and ready in %.1f s", region, (System.nanoTime() - started) / 1e9);
    }

    /**
     * Waits until every node other than {@code region}'s sees {@code region} healthy ({@code /v1/replication/health}),
     * so that the next trial starts from a region the failover logic trusts. Where the endpoint is not served, waits a
     * fixed {@code fallback} instead. Gives up (with a progress line) after a minute: the trial then shows it.
     */
    void awaitHealthy(String region, Duration fallback) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        for (String observer : LocalDeployment.REGIONS) {
            while (true) {
                var answer = api.get(url(observer), "/v1/replication/health");
                if (answer.isPresent() && answer.get().status() == 404) {
                    NodeApi.pause(fallback);
                    return;
                }
                String health = answer.map(a -> NodeApi.text(a.json(), "regions." + region + ".health")).orElse(null);
                if ("healthy".equals(health)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    Progress.line("  %s still not healthy as %s sees it (%s); going on", region, observer, health);
                    return;
                }
                NodeApi.pause(Duration.ofMillis(200));
            }
        }
    }

    /**
     * Waits until every region's applier is within {@code maxEntries} WAL entries of the log's head, as the lag
     * monitor reports it ({@code /v1/replication/health}): a backlog left by an earlier load would otherwise slow the
     * next measurement (a migration's drain waits for the target region's applier). Gives up after {@code timeout}
     * with a progress line; returns the total lag last seen (-1 if the endpoint said nothing).
     */
    long awaitCaughtUp(long maxEntries, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        long lastLine = started;
        Map<String, Long> lags = Map.of();
        while (true) {
            lags = lagEntries();
            boolean known = lags.size() == LocalDeployment.REGIONS.size() && lags.values().stream().allMatch(l -> l >= 0);
            if (known && lags.values().stream().allMatch(l -> l <= maxEntries)) {
                Progress.line("  appliers caught up (lag in entries %s) after %.1f s", lags,
                        (System.nanoTime() - started) / 1e9);
                return lags.values().stream().mapToLong(Long::longValue).sum();
            }
            if (System.nanoTime() > deadline) {
                Progress.line("  appliers still behind after %s (lag in entries %s); going on", Progress.seconds(timeout),
                        lags);
                return lags.values().stream().mapToLong(l -> Math.max(0, l)).sum();
            }
            if (System.nanoTime() - lastLine > Duration.ofSeconds(10).toNanos()) {
                Progress.line("  waiting for the appliers to catch up, lag in entries %s", lags);
                lastLine = System.nanoTime();
            }
            NodeApi.pause(Duration.ofMillis(500));
        }
    }

    /** Per region, the lag in WAL entries as the us-east node's health endpoint reports it; -1 where unknown. */
    private Map<String, Long> lagEntries() {
        Map<String, Long> lags = new java.util.TreeMap<>();
        api.get(url(LocalDeployment.REGIONS.get(0)), "/v1/replication/health").filter(NodeApi.Answer::ok)
                .ifPresent(answer -> LocalDeployment.REGIONS.forEach(region -> {
                    var lag = answer.json().path("regions").path(region).path("lagEntries");
                    lags.put(region, lag.canConvertToLong() ? lag.asLong() : -1L);
                }));
        return lags;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean keep = Boolean.getBoolean("meridian.keep.deployment");
        Progress.line("stopping the deployment and %s %s", keep ? "keeping (meridian.keep.deployment)" : "deleting", dir);
        try {
            local.close();
        } finally {
            if (!keep) {
                StreamsPass.deleteRecursively(dir);
            }
        }
    }
}
