package io.meridian.router;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.RegionStreams;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Test-only: a region node as {@code MeridianNode} puts one together, on the shared test cluster
 * ({@link SharedRegions#cluster}): a {@link RouterServer} on 127.0.0.1 over an applier and placement view, with its own
 * WAL producer and metrics registry, no migrations ({@link FakeMigrations}) and no replication figures
 * ({@link FakeReplicationStatus}). The applier is the node's own ({@link #start}; nodes of one region share its
 * {@code application.id} and split the WAL partitions), or the region's shared one ({@link #onSharedApplier}: the only
 * applier a test may run for us-east and eu-west, see {@link SharedRegions}). {@link #close} closes in MeridianNode's
 * order: the router first, then the WAL producer, the node's own applier (leaving its group), the registry.
 */
final class TestNode implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final MeridianConfig config;
    private final RegionStreams streams;
    private RouterServer router;
    private PrometheusMeterRegistry registry;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    private TestNode(MeridianConfig config, RegionStreams streams) {
        this.config = config;
        this.streams = streams;
    }

    /**
     * The settings every test node has, for the test to add its own to: {@code region} serving on 127.0.0.1:{@code port}
     * with the {@code regions} setting ({@link #regions}), the shared cluster, admin token {@code adminToken},
     * streams commits every 200 ms, writes and reads that wait up to 20 s (a cold JVM on a busy machine is slow), and
     * writes refused as {@code applier_behind} only once the applier is 20 s behind.
     */
    static Map<String, Object> settings(String region, String regions, int port, String adminToken) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, region);
        values.put(MeridianConfig.REGIONS, regions);
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, SharedRegions.cluster().bootstrapServers());
        values.put(RouterConfigs.HTTP_HOST, "127.0.0.1");
        values.put(RouterConfigs.HTTP_PORT, port);
        values.put(SecurityConfigs.ADMIN_TOKEN, adminToken);
        values.put(MeridianConfig.STREAMS_COMMIT_INTERVAL_MS, "200");
        values.put(RouterConfigs.WRITE_APPLY_TIMEOUT_MS, "20000");
        values.put(RouterConfigs.WRITE_SHED_AFTER_MS, "20000");
        values.put(RouterConfigs.READ_MIN_POSITION_WAIT_MS, "20000");
        return values;
    }

    /** The {@code regions} setting naming every region of {@code urls} with its URL, in the map's order. */
    static String regions(Map<String, String> urls) {
        return String.join(",", urls.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** The controller's control plane: it commits through the controller's producer ({@link ControllerLog}). */
    static ControlPlane controller(ElectionCandidate self) {
        return new SingleNodeControlPlane(SharedRegions.controllerLog(), self, Clock.systemUTC());
    }

    /** The control plane of a node that is not the controller and names {@code controllerUrl} as the controller. */
    static FakeControlPlane follower(ElectionCandidate self, String controllerUrl) {
        FakeControlPlane follower = new FakeControlPlane(self);
        follower.controller = false;
        follower.controllerUrl = URI.create(controllerUrl);
        return follower;
    }

    /**
     * Starts a node with its own applier (started here, closed with the node); {@code controlPlane} gets the node's
     * election candidate.
     */
    static TestNode start(MeridianConfig config, Function<ElectionCandidate, ControlPlane> controlPlane) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ApplyTracker tracker = new ApplyTracker();
        RegionStreams streams = new RegionStreams(config, tracker, registry);
        TestNode node = new TestNode(config, streams);
        node.resources.push(registry::close);
        node.resources.push(streams);
        streams.start();
        node.startRouter(tracker, registry, controlPlane);
        return node;
    }

    /** Starts a node over its region's applier and placement view shared by the router tests of the JVM. */
    static TestNode onSharedApplier(MeridianConfig config, Function<ElectionCandidate, ControlPlane> controlPlane) {
        SharedRegions.Region shared = SharedRegions.region(config.region());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TestNode node = new TestNode(config, shared.streams());
        node.resources.push(registry::close);
        node.startRouter(shared.tracker(), registry, controlPlane);
        return node;
    }

    private void startRouter(ApplyTracker tracker, PrometheusMeterRegistry registry,
                             Function<ElectionCandidate, ControlPlane> controlPlane) {
        Producer<String, WalRecord> producer = new KafkaProducer<>(
                WalProducerSettings.forWrites(config.kafkaClientProperties(), "meridian-wal-" + config.nodeId(),
                        config.writeApplyTimeout()),
                Topics.WAL.keySerde().serializer(), Topics.WAL.valueSerde().serializer());
        resources.push(() -> producer.close(Duration.ofSeconds(5)));
        ElectionCandidate self = new ElectionCandidate(config.nodeId(), config.region(), url(), 0);
        router = new RouterServer(config, streams, tracker, producer, controlPlane.apply(self),
                new FakeMigrations(), new FakeReplicationStatus(), registry, Clock.systemUTC());
        resources.push(router);
        router.start();
        this.registry = registry;
    }

    /** Starts the node's {@code meridian.ingest} consumer, as MeridianNode does; closed (first) with the node. */
    IngestService startIngest() {
        IngestService ingest = router.ingest(registry);
        resources.push(ingest);
        ingest.start();
        return ingest;
    }

    /** The node's metrics registry. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    MeridianConfig config() {
        return config;
    }

    String id() {
        return config.nodeId();
    }

    /** {@code http://127.0.0.1:<port>}. */
    String url() {
        return "http://127.0.0.1:" + config.httpPort();
    }

    /** The port the router listens on. */
    int port() {
        return router.port();
    }

    /** The node's applier and placement view (the shared one for {@link #onSharedApplier}). */
    RegionStreams streams() {
        return streams;
    }

    /**
     * {@code method url} with {@code body} (none: null) and {@code headers} ({@code name, value, ...}), waiting up to
     * {@code timeout} for the answer; redirects are answers, not followed.
     */
    static HttpResponse<String> send(String method, String url, String body, Duration timeout, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code GET /health/ready} answers 200. */
    boolean ready() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/health/ready"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Closes the node; a shared applier stays up. Idempotent. */
    @Override
    public void close() {
        closeAll(resources);
    }

    /** Closes and removes every resource, last pushed first, going on past failures. */
    static void closeAll(Deque<? extends AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
