package io.meridian.bench.cost;

import io.meridian.infra.config.RouterConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Total GC time of the region nodes and of this JVM, in milliseconds. Nodes: {@code jvm_gc_pause_seconds_sum} of
 * their {@code /metrics} (Micrometer's JvmGcMetrics: every stop-the-world pause the JVM's GC notifications report),
 * chosen over {@code jstat} because it needs no attach rights and no extra JVM started at the window's edges, and
 * works for nodes on other hosts. This JVM: the GarbageCollectorMXBeans' collection time, the same source. On JDK 17
 * G1 neither counts the remark and cleanup pauses of a concurrent cycle (jstat's CGCT does), nor concurrent work.
 * Thread-safe.
 */
final class GcPauses {
    static final String PAUSE_SUM = "jvm_gc_pause_seconds_sum";
    static final String BENCH = "bench (this JVM)";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final Map<String, URI> metrics;

    private GcPauses(HttpClient http, Map<String, URI> metrics) {
        this.http = http;
        this.metrics = metrics;
    }

    /** For every node among {@code processes} whose properties file names its HTTP port. */
    static GcPauses of(HttpClient http, List<WatchedProcess> processes) {
        Map<String, URI> metrics = new LinkedHashMap<>();
        for (WatchedProcess process : processes) {
            if (process.role() == WatchedProcess.Role.NODE && process.config() != null) {
                try {
                    metrics.put(process.label(), URI.create(nodeUrl(process.config()) + "/metrics"));
                } catch (RuntimeException e) {
                    // a node whose file cannot be read shows as missing in the report
                }
            }
        }
        return new GcPauses(http, metrics);
    }

    /** GC milliseconds so far per JVM (NaN where a node did not answer), this JVM last. */
    Map<String, Double> snapshot() {
        Map<String, Double> millis = new LinkedHashMap<>();
        metrics.forEach((jvm, uri) -> millis.put(jvm, scrapeMillis(uri)));
        millis.put(BENCH, (double) benchMillis());
        return millis;
    }

    private double scrapeMillis(URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? PrometheusText.sum(response.body(), PAUSE_SUM) * 1000 : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static long benchMillis() {
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis;
    }

    /** {@code http://<http.host>:<http.port>} of a node's properties file ({@code 0.0.0.0} means this host). */
    static String nodeUrl(Path config) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(config)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
        String host = props.getProperty(RouterConfigs.HTTP_HOST, "127.0.0.1").trim();
        String port = props.getProperty(RouterConfigs.HTTP_PORT);
        if (port == null) {
            throw new IllegalArgumentException(config + " has no http.port");
        }
        return "http://" + (host.isEmpty() || host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port.trim();
    }
}
