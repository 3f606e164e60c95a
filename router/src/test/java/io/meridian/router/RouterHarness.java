package io.meridian.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ElectionCandidate;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
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
import java.util.concurrent.CompletableFuture;

/**
 * A {@link RouterServer} of region us-east (or another) on a free port, over an in-memory region
 * ({@link FakeRegion}), WAL and applier ({@link FakeWal}), control plane ({@link FakeControlPlane}: by default the
 * controller, whose changes show in this region's view 20 ms later), migrations ({@link FakeMigrations}) and
 * replication figures ({@link FakeReplicationStatus}); plus an HTTP client that never follows redirects.
 */
final class RouterHarness implements AutoCloseable {
    static final String REGION = "us-east";
    static final String TOKEN = "s3cret-token";
    static final Map<String, String> URLS = Map.of(
            "us-east", "http://us-east.example.test:8080",
            "eu-west", "https://eu-west.example.test/meridian",
            "ap-south", "http://ap-south.example.test:9090");

    final FakeRegion region = new FakeRegion();
    final ApplyTracker tracker = new ApplyTracker();
    final FakeWal wal;
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
        this.regionName = regionName;
        this.wal = new FakeWal(region, tracker, regionName);
        int port = freePort();
        this.controlPlane = new FakeControlPlane(new ElectionCandidate(regionName + "-" + port, regionName,
                "http://127.0.0.1:" + port, 0)).deliverTo(region, Duration.ofMillis(20));
        controlPlane.source = region;
        this.published = controlPlane.published;
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, regionName);
        values.put(MeridianConfig.REGIONS, "us-east=" + URLS.get("us-east") + ",eu-west=" + URLS.get("eu-west")
                + ",ap-south=" + URLS.get("ap-south"));
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:1");
        values.put(MeridianConfig.HTTP_HOST, "127.0.0.1");
        values.put(MeridianConfig.HTTP_PORT, Integer.toString(port));
        values.put(MeridianConfig.ADMIN_TOKEN, TOKEN);
        // Generous by default (a cold JVM on a busy machine is slow); tests of the limits set short ones.
        values.put(MeridianConfig.WRITE_APPLY_TIMEOUT_MS, "5000");
        values.put(MeridianConfig.WRITE_PAUSE_BUDGET_MS, "5000");
        values.put(MeridianConfig.READ_MIN_POSITION_WAIT_MS, "5000");
        values.put(MeridianConfig.RETRY_AFTER_SECONDS, "2");
        values.put(MeridianConfig.HTTP_MAX_BODY_BYTES, "1024");
        values.putAll(overrides);
        config = new MeridianConfig(values);
        server = new RouterServer(config, region, tracker, wal, controlPlane, migrations, replication, registry,
                Clock.systemUTC(), timeouts);
        server.start();
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

    /** acme: primary us-east (this region), replicas us-east and eu-west, epoch 1, active. */
    Placement givenTenantHere(String tenant) {
        Placement p = placement(tenant, "us-east", List.of("us-east", "eu-west"), 1, WriteState.ACTIVE);
        if (!regionName.equals("us-east")) {
            throw new IllegalStateException("givenTenantHere places tenants in us-east, not in " + regionName);
        }
        region.setPlacement(p);
        return p;
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
        server.close();
        wal.close();
        registry.close();
    }
}
