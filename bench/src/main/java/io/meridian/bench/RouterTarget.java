package io.meridian.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Writes through the Meridian router: {@code PUT /v1/tenants/{t}/docs/{k}}, acknowledged by its 201, which the router
 * sends only once Kafka acknowledged the record and the primary region's applier accepted it. Redirects are not
 * followed: a 307 means the bench talks to the wrong region and is counted as an error. With a write concern
 * ({@code X-Meridian-Write-Concern}) the 201 comes only once that many regions applied the write.
 */
final class RouterTarget implements WriteTarget {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final Workload workload;
    private final String writeConcern;
    private final String idempotencyKeyPrefix;

    RouterTarget(HttpClient http, URI base, Workload workload) {
        this(http, base, workload, null);
    }

    /** @param writeConcern sent as {@code X-Meridian-Write-Concern}; null sends none (the tenant's default) */
    RouterTarget(HttpClient http, URI base, Workload workload, String writeConcern) {
        this(http, base, workload, writeConcern, null);
    }

    /**
     * @param idempotencyKeyPrefix when not null, every write carries {@code Idempotency-Key: <prefix><seq>}, as a
     *                             client that retries safely does (the applier then remembers its id)
     */
    RouterTarget(HttpClient http, URI base, Workload workload, String writeConcern, String idempotencyKeyPrefix) {
        this.http = http;
        this.base = base;
        this.workload = workload;
        this.writeConcern = writeConcern;
        this.idempotencyKeyPrefix = idempotencyKeyPrefix;
    }

    @Override
    public String name() {
        return writeConcern == null ? "router" : "router wc=" + writeConcern;
    }

    @Override
    public CompletableFuture<Void> write(long seq) {
        String tenant = workload.tenant(seq);
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve("/v1/tenants/" + tenant + "/docs/"
                        + workload.key(seq)))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(workload.body()));
        if (writeConcern != null) {
            builder.header("X-Meridian-Write-Concern", writeConcern);
        }
        if (idempotencyKeyPrefix != null) {
            builder.header("Idempotency-Key", idempotencyKeyPrefix + seq);
        }
        HttpRequest request = builder.build();
        // The body of a 201 is not needed; the body of an error is kept for the first-error line.
        HttpResponse.BodyHandler<String> handler = info -> acknowledged(info.statusCode())
                ? HttpResponse.BodySubscribers.replacing("")
                : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        return http.sendAsync(request, handler).thenApply(response -> {
            if (!acknowledged(response.statusCode())) {
                throw new WriteFailure("http " + response.statusCode(), abbreviate(response.body()));
            }
            return null;
        });
    }

    /** A PUT answers 201 (a DELETE 200) only once the applier accepted the record. */
    private static boolean acknowledged(int status) {
        return status == 201 || status == 200;
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    @Override
    public void close() {
        // The HttpClient is shared and owned by the command.
    }
}
