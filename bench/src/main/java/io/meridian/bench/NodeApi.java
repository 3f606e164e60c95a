package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.meridian.infra.serde.Json;
import io.meridian.node.LocalDeployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The few HTTP calls the failover and migration benchmarks make to a node: admin (with the bearer token) and single
 * document writes. Redirects are never followed: callers decide. A node that is down answers {@link Optional#empty()}
 * (connection refused, timeout) rather than an exception, since the benchmarks poll nodes they just killed.
 * Thread-safe.
 */
final class NodeApi {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String token;

    NodeApi(String token) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        this.token = token;
    }

    HttpClient http() {
        return http;
    }

    /** One answer: status, body as JSON (missing if it was not JSON), and the {@code Location} header if any. */
    record Answer(int status, JsonNode json, String body, Optional<String> location) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    Optional<Answer> admin(String method, String base, String path, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token);
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        return send(request.build());
    }

    Optional<Answer> get(String base, String path) {
        return admin("GET", base, path, null);
    }

    /** {@code PUT /v1/tenants/{tenant}/docs/{key}}: 201 once accepted, 307 to the primary, or an error. */
    Optional<Answer> putDoc(String base, String tenant, String key) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/tenants/" + tenant + "/docs/" + key))
                .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"bench\":\"probe\"}")).build();
        return send(request);
    }

    /** {@code GET /admin/replication/election} as this node sees it. */
    Optional<Election> election(String base) {
        return get(base, "/admin/replication/election").filter(Answer::ok).map(a -> new Election(
                text(a.json(), "leaderRegion"), text(a.json(), "leaderNodeId"), a.json().path("epoch").asLong(-1),
                text(a.json(), "state")));
    }

    /** The leader as one node sees it; {@code region} and {@code nodeId} are null while no leader is known. */
    record Election(String region, String nodeId, long epoch, String state) {
        boolean known() {
            return region != null && nodeId != null && epoch >= 0;
        }
    }

    /** The tenant's primary region as this node's placement view has it, if it has one. */
    Optional<String> primary(String base, String tenant) {
        return get(base, "/admin/tenants/" + tenant + "/placement").filter(Answer::ok)
                .map(a -> text(a.json(), "primary", "placement.primary"));
    }

    /**
     * Places {@code tenant} (primary {@code primary}, replicas in every region, strategy reject) through any node,
     * retrying while the controller is being elected or busy.
     */
    void place(String base, String tenant, String primary, Duration timeout) {
        String body = Json.writeString(Map.of("primary", primary, "replicas", LocalDeployment.REGIONS,
                "strategy", "reject"));
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            Optional<Answer> answer = admin("PUT", base, "/admin/tenants/" + tenant + "/placement", body);
            if (answer.isPresent() && answer.get().ok()) {
                return;
            }
            last = answer.map(a -> a.status() + " " + a.body()).orElse("no answer");
            pause(Duration.ofMillis(250));
        }
        throw new IllegalStateException("cannot place " + tenant + " through " + base + ": " + last);
    }

    /** Waits until a write of {@code tenant} at {@code base} is accepted (201). */
    void awaitWritable(String base, String tenant, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            Optional<Answer> answer = putDoc(base, tenant, "ready");
            if (answer.isPresent() && answer.get().status() == 201) {
                return;
            }
            last = answer.map(a -> a.status() + " " + a.body()).orElse("no answer");
            pause(Duration.ofMillis(100));
        }
        throw new IllegalStateException("tenant " + tenant + " takes no writes at " + base + ": " + last);
    }

    private Optional<Answer> send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json;
            try {
                json = response.body().isEmpty() ? MissingNode.getInstance()
                        : Json.readTree(response.body().getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                json = MissingNode.getInstance();
            }
            return Optional.of(new Answer(response.statusCode(), json, response.body(),
                    response.headers().firstValue("Location")));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The first of the dotted {@code paths} present as a non-null value, as text; null if none is. */
    static String text(JsonNode json, String... paths) {
        for (String path : paths) {
            JsonNode node = json;
            for (String part : path.split("\\.")) {
                node = node.path(part);
            }
            if (!node.isMissingNode() && !node.isNull()) {
                return node.asText();
            }
        }
        return null;
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
