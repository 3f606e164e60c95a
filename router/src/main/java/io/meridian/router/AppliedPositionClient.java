package io.meridian.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.serde.Json;
import io.meridian.migration.AppliedProbe;
import io.meridian.router.internal.AppliedApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * The controller's {@link AppliedProbe} over HTTP: asks a region's node, at the region's configured URL,
 * {@code GET /v1/replication/applied?position=p:o&wait_ms=n} ({@link AppliedApi}). An answer from another region
 * or partition than asked, or any status but 200, completes exceptionally: the migration then follows the target's
 * heartbeats. Thread-safe; its threads are daemons that end when idle.
 */
public final class AppliedPositionClient implements AppliedProbe {
    /** Beyond the wait the node was asked for: a slow answer still counts, a dead node fails soon enough. */
    static final Duration ANSWER_SLACK = Duration.ofSeconds(3);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final Map<String, URI> regionUrls;
    private final HttpClient http;

    /** @param regionUrls every region and its base URL, from configuration ({@code regions}) */
    public AppliedPositionClient(Map<String, URI> regionUrls) {
        this.regionUrls = Map.copyOf(regionUrls);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Executors.newCachedThreadPool(NamedThreads.numbered("meridian-applied-probe")))
                .build();
    }

    @Override
    public CompletableFuture<Answer> awaitApplied(String region, int partition, long minOffset, Duration maxWait) {
        URI base = regionUrls.get(region);
        if (base == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no URL configured for region "
                    + region + " (regions: " + regionUrls.keySet() + ")"));
        }
        long waitMs = Math.max(0, Math.min(maxWait.toMillis(), AppliedApi.MAX_WAIT_MS));
        URI uri = URI.create(base + AppliedApi.APPLIED_PATH + "?" + AppliedApi.POSITION_PARAM + "=" + partition + ":"
                + minOffset + "&" + AppliedApi.WAIT_PARAM + "=" + waitMs);
        HttpRequest request = HttpRequest.newBuilder(uri).GET()
                .timeout(Duration.ofMillis(waitMs).plus(ANSWER_SLACK))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> answer(region, partition, uri, response));
    }

    private static Answer answer(String region, int partition, URI uri, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": "
                    + snippet(response.body()));
        }
        JsonNode body = Json.readTree(response.body());
        Answer answer = new Answer(body.path("region").asText(""), body.path("node").asText(""),
                body.path("partition").asInt(-1), body.path("appliedOffset").asLong(-1));
        // Never take another region's word for the target's (a misconfigured URL): that could switch too early.
        if (!answer.region().equals(region) || answer.partition() != partition) {
            throw new IllegalStateException("GET " + uri + " answered for region " + answer.region() + " partition "
                    + answer.partition() + ", not " + region + " partition " + partition
                    + ": check the URL configured for " + region);
        }
        return answer;
    }

    private static String snippet(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
