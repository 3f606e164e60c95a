package io.meridian.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ElectionCandidate;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.router.internal.RegionView;
import io.meridian.streams.ApplyTracker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * A {@link RouterServer} of region us-east (or another) on a free port, on real Kafka: this region's real applier and
 * placement view ({@link SharedRegions}, shared by the tests of the JVM), its own real WAL producer, and a control
 * plane ({@link FakeControlPlane}: by default the controller) whose changes are committed to Kafka as the controller
 * commits them (placement + fence in one transaction, {@link ControllerLog}); plus migrations ({@link FakeMigrations}),
 * replication figures ({@link FakeReplicationStatus}) and an HTTP client that never follows redirects. Tests give
 * every tenant a unique name ({@link SharedRegions#tenant}).
 */
final class RouterHarness implements AutoCloseable {
    static final String REGION = "us-east";
    static final String TOKEN = "s3cret-token";
    static final Map<String, String> URLS = Map.of(
            "us-east", "http://us-east.example.test:8080",
            "eu-west", "https://eu-west.example.test/meridian",
            "ap-south", "http://ap-south.example.test:9090");

    /** How a harness differs from the default node: what its router is built on. */
    static final class Options {
        String region = REGION;
        Map<String, String> overrides = Map.of();
        RouterServer.AdminTimeouts timeouts = RouterServer.AdminTimeouts.DEFAULT;
        /** Wraps (or replaces) the region's real view. */
        UnaryOperator<RegionView> view = UnaryOperator.identity();
        /** Where the router hears verdicts and positions from; none: this region's applier. */
        ApplyTracker tracker;
        /** Producer settings over the node's own (e.g. another bootstrap.servers). */
        Map<String, Object> producer = Map.of();
        /** The data API keys of the admin API; none: in memory, this router's own. */
        ApiKeyStore apiKeys = new InMemoryApiKeyStore();
    }

    final ApplyTracker tracker;
    final Producer<String, WalRecord> walProducer;
    final FakeControlPlane controlPlane;
    final FakeMigrations migrations = new FakeMigrations();
    final FakeReplicationStatus replication = new FakeReplicationStatus();
    /** What the control plane published (placement changes and failovers). */
    final List<Placement> published;
    final String regionName;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final RouterServer server;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final MeridianConfig config;

    RouterHarness() {
        this(Map.of());
    }

    RouterHarness(Map<String, String> overrides) {
        this(REGION, overrides, RouterServer.AdminTimeouts.DEFAULT);
    }

    /** A node of {@code regionName} with admin waits {@code timeouts}. */
    RouterHarness(String regionName, Map<String, String> overrides, RouterServer.AdminTimeouts timeouts) {
        this(options(regionName, overrides, timeouts));
    }

    private static Options options(String regionName, Map<String, String> overrides,
                                   RouterServer.AdminTimeouts timeouts) {
        Options options = new Options();
        options.region = regionName;
        options.overrides = overrides;
        options.timeouts = timeouts;
        return options;
    }

    RouterHarness(Options options) {
        this.regionName = options.region;
        SharedRegions.Region region = SharedRegions.region(regionName);
        this.tracker = options.tracker != null ? options.tracker : region.tracker();
        int port = freePort();
        this.controlPlane = new FakeControlPlane(new ElectionCandidate(regionName + "-" + port, regionName,
                "http://127.0.0.1:" + port, 0)).writingTo(SharedRegions.controllerLog());
        this.published = controlPlane.published;
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, regionName);
        values.put(MeridianConfig.REGIONS, regionsSetting());
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, SharedRegions.cluster().bootstrapServers());
        values.put(RouterConfigs.HTTP_HOST, "127.0.0.1");
        values.put(RouterConfigs.HTTP_PORT, Integer.toString(port));
        values.put(SecurityConfigs.ADMIN_TOKEN, TOKEN);
        // Generous by default (a cold JVM on a busy machine is slow); tests of the limits set short ones.
        values.put(RouterConfigs.WRITE_APPLY_TIMEOUT_MS, "10000");
        values.put(RouterConfigs.WRITE_PAUSE_BUDGET_MS, "5000");
        // The region's applier is shared by the JVM's router tests: one that left it behind must not refuse another's.
        values.put(RouterConfigs.WRITE_SHED_AFTER_MS, "20000");
        values.put(RouterConfigs.READ_MIN_POSITION_WAIT_MS, "5000");
        values.put(RouterConfigs.RETRY_AFTER_SECONDS, "2");
        values.put(RouterConfigs.HTTP_MAX_BODY_BYTES, "1024");
        values.putAll(options.overrides);
        config = new MeridianConfig(values);
        Map<String, Object> producerProps = new HashMap<>(WalProducerSettings.forWrites(config.kafkaClientProperties(),
                "meridian-wal-" + config.nodeId(), config.writeApplyTimeout()));
        producerProps.putAll(options.producer);
        walProducer = new KafkaProducer<>(producerProps, Topics.WAL.keySerde().serializer(),
                Topics.WAL.valueSerde().serializer());
        server = new RouterServer(config, options.view.apply(RegionView.of(region.streams())), tracker, walProducer,
                controlPlane, migrations, io.meridian.migration.Failbacks.NONE, replication,
                io.meridian.infra.regions.RegionPauses.inMemory(), options.apiKeys, registry, Clock.systemUTC(),
                options.timeouts);
        server.start();
    }

    /** The {@code regions} setting of every harness: each region's URL. */
    static String regionsSetting() {
        return "us-east=" + URLS.get("us-east") + ",eu-west=" + URLS.get("eu-west") + ",ap-south="
                + URLS.get("ap-south");
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Placement placement(String tenant, String primary, List<String> replicas, long epoch, WriteState writes) {
        return new Placement(tenant, primary, replicas, epoch, writes, ConflictStrategy.REJECT,
                ReplicationMode.SINGLE_PRIMARY);
    }

    /** {@code tenant}: primary us-east (this region), replicas us-east and eu-west, epoch 1, active. */
    Placement givenTenantHere(String tenant) {
        if (!regionName.equals("us-east")) {
            throw new IllegalStateException("givenTenantHere places tenants in us-east, not in " + regionName);
        }
        return place(placement(tenant, "us-east", List.of("us-east", "eu-west"), 1, WriteState.ACTIVE));
    }

    /**
     * Commits {@code placement} as the controller does (placement and fence in one transaction; not counted as
     * published) and waits until this region's view shows it.
     */
    Placement place(Placement placement) {
        controlPlane.given(placement);
        SharedRegions.awaitVisible(regionName, placement);
        return placement;
    }

    /** This region's placement view of {@code tenant}. */
    Optional<Placement> view(String tenant) {
        return SharedRegions.placement(regionName, tenant);
    }

    /** This region's applier stops applying (no verdicts, no newer positions); the placement view goes on. */
    void pauseApplier() {
        SharedRegions.region(regionName).streams().pauseApplying();
    }

    void resumeApplier() {
        SharedRegions.region(regionName).streams().resumeApplying();
    }

    /** The data records of {@code tenant} in the WAL, read back from Kafka. */
    static List<WalRecord.DataRecord> sent(String tenant) {
        return SharedRegions.dataRecords(tenant);
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> put(String path, String body, String... headers) {
        HttpRequest.Builder b = request(path).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = request(path).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<String> delete(String path, String... headers) {
        HttpRequest.Builder b = request(path).DELETE();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    /** An admin request with a JSON body (or none) and extra headers ({@code name, value, ...}). */
    HttpResponse<String> admin(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = request(path).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.readTree(response.body().getBytes(StandardCharsets.UTF_8));
    }

    static String code(HttpResponse<String> response) {
        return json(response).path("error").path("code").asText();
    }

    static String message(HttpResponse<String> response) {
        return json(response).path("error").path("message").asText();
    }

    @Override
    public void close() {
        resumeApplier();  // whatever a test left paused
        server.close();
        walProducer.close(Duration.ofSeconds(5));
        registry.close();
    }
}
