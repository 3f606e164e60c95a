package io.meridian.router;

import io.meridian.election.ElectionCandidate;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.router.internal.RegionView;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.StoredDocument;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * A {@link RouterServer} for what the HTTP layer decides before any data is touched (routes, methods,
 * authentication, paging of the test control plane's migrations): an empty region view, a real WAL producer on the
 * shared test cluster (no test here writes a document), the test control plane (the controller) and migrations.
 * Tests that touch data use {@link RouterHarness}.
 */
final class StubRouter implements AutoCloseable {
    final FakeMigrations migrations = new FakeMigrations();
    final FakeControlPlane controlPlane;
    final RouterServer server;
    final MeridianConfig config;
    private final Producer<String, WalRecord> walProducer;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    volatile boolean ready = true;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A router that is built, not started. */
    static StubRouter built(Map<String, String> overrides) {
        return new StubRouter(overrides, false);
    }

    static StubRouter started(Map<String, String> overrides) {
        return new StubRouter(overrides, true);
    }

    private StubRouter(Map<String, String> overrides, boolean start) {
        int port = RouterHarness.freePort();
        controlPlane = new FakeControlPlane(new ElectionCandidate("us-east-" + port, "us-east",
                "http://127.0.0.1:" + port, 0));
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, "us-east");
        values.put(MeridianConfig.REGIONS, RouterHarness.regionsSetting());
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, SharedTestCluster.get().bootstrapServers());
        values.put(RouterConfigs.HTTP_HOST, "127.0.0.1");
        values.put(RouterConfigs.HTTP_PORT, Integer.toString(port));
        values.put(SecurityConfigs.ADMIN_TOKEN, RouterHarness.TOKEN);
        values.put(ControllerConfigs.CONSISTENCY_CHECK_INTERVAL_MS, "0");
        values.putAll(overrides);
        config = new MeridianConfig(values);
        walProducer = new KafkaProducer<>(WalProducerSettings.forWrites(config.kafkaClientProperties(),
                "meridian-wal-" + config.nodeId(), config.writeApplyTimeout()), Topics.WAL.keySerde().serializer(),
                Topics.WAL.valueSerde().serializer());
        server = new RouterServer(config, new EmptyView(), new ApplyTracker(), walProducer,
                controlPlane, migrations, new FakeReplicationStatus(),
                registry, Clock.systemUTC(),
                RouterServer.AdminTimeouts.DEFAULT);
        if (start) {
            server.start();
        }
    }

    HttpResponse<String> send(String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        server.close();
        walProducer.close(Duration.ofSeconds(5));
    }

    private final class EmptyView implements RegionView {
        @Override
        public Optional<Placement> placement(String tenant) {
            return Optional.empty();
        }

        @Override
        public List<Placement> placements() {
            return List.of();
        }

        @Override
        public Optional<StoredDocument> document(String tenant, String key) {
            return Optional.empty();
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void addPlacementListener(Consumer<Placement> listener) {
        }
    }
}
