package io.meridian.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Writes to one node over raw HTTP, each write one request: {@code PUT /v1/tenants/{t}/docs/{k}}, acknowledged by
 * its 201. Nothing is retried or followed: a refused connection, a 503 or a 307 is an error. For the failover trial
 * only, whose measurement is when the killed node stopped acknowledging (its errors are the figure; Meridian's client,
 * {@link RouterTarget}, would retry them away into latency). Every other load writes through {@link RouterTarget}.
 */
final class VictimTarget implements WriteTarget {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final Workload workload;
    private final String writeConcern;

    VictimTarget(HttpClient http, URI base, Workload workload) {
        this(http, base, workload, null);
    }

    /** @param writeConcern sent as {@code X-Meridian-Write-Concern}; null sends none (the tenant's default) */
    VictimTarget(HttpClient http, URI base, Workload workload, String writeConcern) {
        this.http = http;
        this.base = base;
        this.workload = workload;
        this.writeConcern = writeConcern;
    }

    @Override
    public String name() {
        return writeConcern == null ? "node" : "node wc=" + writeConcern;
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
