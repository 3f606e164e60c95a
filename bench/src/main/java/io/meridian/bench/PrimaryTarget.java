package io.meridian.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes through the Meridian router to each tenant's current primary, as a client that follows placement changes
 * would: it sends a tenant's writes where the last answer said its primary is, and on a {@code 307} remembers the
 * {@code Location}'s node and sends the write again there (at most {@value #MAX_HOPS} times). The redirect is part of
 * the write's latency. Acknowledged by {@code 201}; anything else fails the write. Thread-safe.
 */
final class PrimaryTarget implements WriteTarget {
    static final int MAX_HOPS = 3;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final Workload workload;
    private final URI initial;
    private final Map<String, URI> primaries = new ConcurrentHashMap<>();

    /** @param initial where every tenant's writes go until a redirect says otherwise */
    PrimaryTarget(HttpClient http, URI initial, Workload workload) {
        this.http = http;
        this.initial = initial;
        this.workload = workload;
    }

    @Override
    public String name() {
        return "router-following";
    }

    @Override
    public CompletableFuture<Void> write(long seq) {
        String tenant = workload.tenant(seq);
        return send(tenant, workload.key(seq), 0);
    }

    private CompletableFuture<Void> send(String tenant, String key, int hops) {
        URI node = primaries.getOrDefault(tenant, initial);
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/tenants/" + tenant + "/docs/" + key))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(workload.body()))
                .build();
        HttpResponse.BodyHandler<String> handler = info -> info.statusCode() == 201
                ? HttpResponse.BodySubscribers.replacing("")
                : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        return http.sendAsync(request, handler).thenCompose(response -> {
            if (response.statusCode() == 201) {
                return CompletableFuture.completedFuture(null);
            }
            var location = response.headers().firstValue("Location");
            if (response.statusCode() == 307 && location.isPresent() && hops < MAX_HOPS) {
                primaries.put(tenant, URI.create(location.get()).resolve("/"));
                return send(tenant, key, hops + 1);
            }
            String body = response.body();
            throw new WriteFailure("http " + response.statusCode(),
                    body.length() > 300 ? body.substring(0, 300) + "..." : body);
        });
    }

    @Override
    public void close() {
        // The HttpClient is shared and owned by the command.
    }
}
