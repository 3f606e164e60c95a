package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.serde.Json;
import io.meridian.node.LocalDeployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian bench scale --tenants N}: Meridian with many tenants. In a deployment of its own, it creates N
 * tenants with their primary in us-east in bulk ({@code PUT /admin/tenants}) and, for comparison, a few one by one;
 * writes to a sample of them; times {@code GET /admin/tenants?limit=100}; measures the nodes' live heap; kills us-east's
 * node and times until the last of its tenants has a new primary in eu-west's placement view, next to the failover
 * budget the configuration implies; then restarts the node and times until it is ready (its placement view restored).
 * Asserts nothing.
 */
@Command(name = "scale", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Many tenants: bulk creation rate, failover time of a region holding all of them against the"
                + " configured budget, GET /admin/tenants?limit=100 latency, node heap, restart time of a node.",
                "Starts its own deployment (ZooKeeper, 3 brokers, 3 nodes) in a temporary directory on free ports."
                        + " Progress on stderr, the report on stdout."})
public final class ScaleBenchCommand implements Callable<Integer> {
    private static final String VICTIM = "us-east";
    private static final String OBSERVER = "eu-west";

    @Option(names = "--tenants", defaultValue = "10000", description = "Tenants created in bulk, all with their"
            + " primary in us-east (default: ${DEFAULT-VALUE}).")
    int tenants;

    @Option(names = "--others", defaultValue = "0", description = "More tenants created in bulk with their primary in"
            + " eu-west, counted in the creation rate: a deployment of --tenants + --others tenants of which --tenants"
            + " fail over (default: ${DEFAULT-VALUE}).")
    int others;

    @Option(names = "--batch", defaultValue = "1000", description = "Tenants per PUT /admin/tenants request"
            + " (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--concurrency", defaultValue = "2", description = "Bulk requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--one-by-one", defaultValue = "200", description = "Tenants also created one request each, 8 in"
            + " flight, for comparison; 0: none (default: ${DEFAULT-VALUE}).")
    int oneByOne;

    @Option(names = "--sample", defaultValue = "20", description = "Tenants written to before the kill"
            + " (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--list-requests", defaultValue = "50", description = "GET /admin/tenants?limit=100 requests timed"
            + " (default: ${DEFAULT-VALUE}).")
    int listRequests;

    @Option(names = "--heartbeat-ms", defaultValue = "500", description = "health.heartbeat.interval.ms (default: ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--leader-timeout-ms", defaultValue = "3000", description = "failover.leader.timeout.ms (default: ${DEFAULT-VALUE}).")
    long leaderTimeoutMs;

    @Option(names = "--session-timeout-ms", defaultValue = "4000", description = "zookeeper.session.timeout.ms (default: ${DEFAULT-VALUE}).")
    int sessionTimeoutMs;

    @Option(names = "--setting", paramLabel = "KEY=VALUE", description = "Any other node setting, repeatable.")
    Map<String, String> extraSettings = new LinkedHashMap<>();

    @Option(names = "--failover-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Give up waiting for the failover after this long (default: ${DEFAULT-VALUE}).")
    Duration failoverTimeout;

    @Option(names = "--json", description = "Print the report as JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        BenchLogging.warningsToStderr();
        TableReport report = new TableReport("meridian bench scale");
        Map<String, String> settings = nodeSettings();
        report.setting("tenants", tenants);
        report.setting("batch", batch);
        report.setting("nodeSettings", settings.toString());
        report.setting("cores", Runtime.getRuntime().availableProcessors());
        report.setting("loadAverageAtStart", loadAverage());
        TableReport.Table table = report.table("figures", "figure", "value", "unit", "note");
        try (BenchDeployment deployment = BenchDeployment.start(settings)) {
            NodeApi api = deployment.api();
            String via = deployment.url(OBSERVER);
            if (oneByOne > 0) {
                double rate = createOneByOne(api, via, oneByOne);
                table.row("creation one by one", rate, "tenants/s", oneByOne + " tenants, 8 requests in flight");
            }
            List<String> names = new ArrayList<>(tenants);
            for (int i = 0; i < tenants; i++) {
                names.add(String.format("scale-%07d", i));
            }
            List<String> otherNames = new ArrayList<>(others);
            for (int i = 0; i < others; i++) {
                otherNames.add(String.format("other-%07d", i));
            }
            long createStarted = System.nanoTime();
            createInBulk(api, via, names, VICTIM);
            createInBulk(api, via, otherNames, OBSERVER);
            double bulkRate = (tenants + others) / ((System.nanoTime() - createStarted) / 1e9);
            table.row("creation in bulk", bulkRate, "tenants/s", (tenants + others) + " tenants, " + batch
                    + " per request, " + concurrency + " in flight");
            int written = writeSample(deployment, names);
            table.row("sample writes accepted", written, "writes", sample + " tenants in " + VICTIM);
            double[] list = listLatency(api, via, names);
            table.row("GET /admin/tenants?limit=100 p50", list[0], "ms", listRequests + " requests, random cursors, "
                    + (tenants + others + oneByOne) + " tenants");
            table.row("GET /admin/tenants?limit=100 max", list[1], "ms", "");
            for (String region : LocalDeployment.REGIONS) {
                table.row("live heap " + region, liveHeapMiB(deployment, region), "MiB", "after a full GC");
            }

            FailoverRoles roles = new FailoverRoles(deployment, heartbeatMs, handover -> { });
            roles.arrange(FailoverRoles.Role.follower);
            boolean controllerKilled = api.election(via).map(e -> VICTIM.equals(e.region())).orElse(false);
            int misses = Integer.parseInt(settings.getOrDefault(ControllerConfigs.HEALTH_MISSES_TO_UNHEALTHY, "5"));
            long budget = heartbeatMs * misses + leaderTimeoutMs + (controllerKilled ? sessionTimeoutMs : 0);
            double[] failover = failover(deployment, names);
            table.row("failover: first tenant moved", failover[0], "ms", "from kill -9 of " + VICTIM + "'s node");
            table.row("failover: last tenant moved", failover[1], "ms", "budget " + budget + " ms + 5 s = "
                    + (budget + 5_000) + " ms" + (controllerKilled ? " (the killed node held the controller)" : ""));
            table.row("failover: tenants left on " + VICTIM, failover[2], "tenants", "after the last one moved");
            long restartStarted = System.nanoTime();
            deployment.restart(VICTIM);
            table.row("restart of " + VICTIM + "'s node to ready", (System.nanoTime() - restartStarted) / 1e6, "ms",
                    "JVM start + placement view restored (" + (tenants + others + oneByOne) + " tenants)");
            table.row("live heap " + VICTIM + " after restart", liveHeapMiB(deployment, VICTIM), "MiB",
                    "after a full GC");
        }
        report.setting("loadAverageAtEnd", loadAverage());
        report.note("budget = heartbeat x health.misses.to.unhealthy (5 by default) + failover.leader.timeout.ms"
                + " (+ zookeeper.session.timeout.ms when the killed node held the controller)");
        if (json) {
            report.printJson(System.out);
        } else {
            report.printTable(System.out);
        }
        return 0;
    }

    private Map<String, String> nodeSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS, Integer.toString(sessionTimeoutMs));
        settings.put(ControllerConfigs.HEALTH_HEARTBEAT_INTERVAL_MS, Long.toString(heartbeatMs));
        settings.put(ControllerConfigs.FAILOVER_LEADER_TIMEOUT_MS, Long.toString(leaderTimeoutMs));
        settings.put(ControllerConfigs.FAILOVER_INHIBIT_WINDOW_MS, "1000");
        settings.putAll(extraSettings);
        return settings;
    }

    private static double createOneByOne(NodeApi api, String via, int count) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String tenant = String.format("single-%05d", i);
                all.add(pool.submit(() -> api.place(via, tenant, VICTIM, Duration.ofMinutes(2))));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating tenants one by one failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double rate = count / ((System.nanoTime() - started) / 1e9);
        Progress.line("created %d tenants one by one: %.0f tenants/s", count, rate);
        return rate;
    }

    private double createInBulk(NodeApi api, String via, List<String> names, String primary)
            throws InterruptedException {
        if (names.isEmpty()) {
            return Double.NaN;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency));
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int from = 0; from < names.size(); from += batch) {
                List<String> chunk = names.subList(from, Math.min(names.size(), from + batch));
                all.add(pool.submit(() -> {
                    placeChunk(api, via, chunk, primary);
                    int total = done.addAndGet(chunk.size());
                    Progress.line("  %d/%d tenants created, %.0f tenants/s", total, names.size(),
                            total / ((System.nanoTime() - started) / 1e9));
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("bulk creation failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double rate = names.size() / ((System.nanoTime() - started) / 1e9);
        Progress.line("created %d tenants in bulk (primary %s): %.0f tenants/s", names.size(), primary, rate);
        return rate;
    }

    /** One request (retried while the controller is busy or being elected); every entry must be placed. */
    private static void placeChunk(NodeApi api, String via, List<String> chunk, String primary) {
        String body = Json.writeString(Map.of("tenants", chunk.stream().map(tenant -> Map.of("tenant", tenant,
                "primary", primary, "replicas", LocalDeployment.REGIONS)).toList()));
        String last = "no answer";
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<NodeApi.Answer> answer = api.admin("PUT", via, "/admin/tenants", body);
            if (answer.isPresent() && answer.get().status() == 200 && answer.get().json().path("failed").asInt() == 0) {
                return;
            }
            last = answer.map(a -> a.status() + " " + a.body().substring(0, Math.min(300, a.body().length())))
                    .orElse("no answer");
            NodeApi.pause(Duration.ofMillis(500));
        }
        throw new IllegalStateException("cannot place " + chunk.get(0) + ".. through " + via + ": " + last);
    }

    private int writeSample(BenchDeployment deployment, List<String> names) {
        int ok = 0;
        String base = deployment.url(VICTIM);
        for (int i = 0; i < sample; i++) {
            String tenant = names.get((int) ((long) i * names.size() / Math.max(1, sample)));
            deployment.api().awaitWritable(base, tenant, Duration.ofMinutes(1));
            for (int k = 0; k < 5; k++) {
                if (deployment.api().putDoc(base, tenant, "k" + k).filter(a -> a.status() == 201).isPresent()) {
                    ok++;
                }
            }
        }
        Progress.line("wrote to %d sample tenants: %d writes accepted", sample, ok);
        return ok;
    }

    /** {p50, max} in ms of GET /admin/tenants?limit=100 from random cursors (warmed up first). */
    private double[] listLatency(NodeApi api, String via, List<String> names) {
        for (int i = 0; i < 20; i++) {
            api.get(via, "/admin/tenants?limit=100");
        }
        double[] ms = new double[listRequests];
        for (int i = 0; i < listRequests; i++) {
            String cursor = names.get(ThreadLocalRandom.current().nextInt(names.size()));
            long started = System.nanoTime();
            Optional<NodeApi.Answer> answer = api.get(via, "/admin/tenants?limit=100&cursor=" + cursor);
            ms[i] = (System.nanoTime() - started) / 1e6;
            if (answer.isEmpty() || answer.get().status() != 200) {
                throw new IllegalStateException("GET /admin/tenants failed: " + answer.map(NodeApi.Answer::body));
            }
        }
        Arrays.sort(ms);
        Progress.line("GET /admin/tenants?limit=100: p50 %.1f ms, max %.1f ms", ms[ms.length / 2], ms[ms.length - 1]);
        return new double[] {ms[ms.length / 2], ms[ms.length - 1]};
    }

    /** {first moved, last moved, left} : ms from the kill until the first / last tenant (by name) moved, tenants left. */
    private double[] failover(BenchDeployment deployment, List<String> names) {
        NodeApi api = deployment.api();
        String observer = deployment.url(OBSERVER);
        String first = names.get(0);
        String last = names.get(names.size() - 1);
        long killedAt = System.nanoTime();
        deployment.local().killNode(VICTIM);
        Progress.line("killed %s's node; waiting for its %d tenants to move", VICTIM, names.size());
        double firstMs = Double.NaN;
        double lastMs = Double.NaN;
        long deadline = killedAt + failoverTimeout.toNanos();
        while (System.nanoTime() < deadline && Double.isNaN(lastMs)) {
            if (Double.isNaN(firstMs) && moved(api, observer, first)) {
                firstMs = (System.nanoTime() - killedAt) / 1e6;
                Progress.line("  first tenant moved after %.0f ms", firstMs);
            }
            if (!Double.isNaN(firstMs) && moved(api, observer, last)) {
                lastMs = (System.nanoTime() - killedAt) / 1e6;
                Progress.line("  last tenant moved after %.0f ms", lastMs);
            }
            NodeApi.pause(Duration.ofMillis(20));
        }
        return new double[] {firstMs, lastMs, leftOn(api, observer)};
    }

    private static boolean moved(NodeApi api, String base, String tenant) {
        return api.primary(base, tenant).filter(p -> !VICTIM.equals(p)).isPresent();
    }

    /** Tenants whose primary is still the victim, paging through the whole view. */
    private static long leftOn(NodeApi api, String base) {
        long left = 0;
        String cursor = null;
        do {
            Optional<NodeApi.Answer> page = api.get(base, "/admin/tenants?limit=1000&primary=" + VICTIM
                    + (cursor == null ? "" : "&cursor=" + cursor));
            if (page.isEmpty() || page.get().status() != 200) {
                return -1;
            }
            JsonNode json = page.get().json();
            left += json.path("tenants").size();
            cursor = json.has("next") ? json.get("next").asText() : null;
        } while (cursor != null);
        return left;
    }

    /** The node's heap in use right after a full GC ({@code jcmd GC.run}, then its /metrics), in MiB; NaN if unknown. */
    private static double liveHeapMiB(BenchDeployment deployment, String region) {
        Optional<ProcessHandle> process = deployment.local().nodeProcess(region, 0);
        if (process.isEmpty()) {
            return Double.NaN;
        }
        try {
            Process gc = new ProcessBuilder("jcmd", Long.toString(process.get().pid()), "GC.run")
                    .redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            Progress.line("  jcmd GC.run failed for %s: %s; heap measured without it", region, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
        Optional<NodeApi.Answer> metrics = deployment.api().get(deployment.url(region), "/metrics");
        if (metrics.isEmpty() || metrics.get().status() != 200) {
            return Double.NaN;
        }
        double bytes = 0;
        for (String line : metrics.get().body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return bytes / (1024 * 1024);
    }

    private static String loadAverage() {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg")),
                    StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
