package io.meridian.bench;

import io.meridian.client.MeridianClient;
import io.meridian.client.MeridianException;
import io.meridian.client.WriteOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes through the Meridian router with Meridian's Java client ({@link MeridianClient}), as a service would:
 * {@code PUT /v1/tenants/{t}/docs/{k}} with an {@code Idempotency-Key} of the client's making, acknowledged by its 201,
 * which the router sends only once Kafka acknowledged the record and the primary region's applier accepted it. The
 * client follows a 307 and retries a 503 after its {@code Retry-After} (same key) within its operation timeout, so
 * such an answer is latency here, and an error only when the timeout ran out. With a write concern
 * ({@code X-Meridian-Write-Concern}) the 201 comes only once that many regions applied the write.
 */
final class RouterTarget implements WriteTarget {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(60);

    private final MeridianClient client;
    private final Workload workload;
    private final String body;
    private final WriteOptions options;
    private final String writeConcern;

    RouterTarget(String region, URI base, Workload workload) {
        this(region, base, workload, null);
    }

    /**
     * @param region       the region of the node {@code base}, the primary of the workload's tenants
     * @param writeConcern sent as {@code X-Meridian-Write-Concern}; null sends none (the tenant's default)
     */
    RouterTarget(String region, URI base, Workload workload, String writeConcern) {
        // The HTTP client's completions run on its I/O thread instead of hopping to a pool: the load generator shares
        // the machine with what it measures, and nothing here blocks in a callback (each writer waits on its future).
        this.client = MeridianClient.builder().region(region, base.toString()).connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(REQUEST_TIMEOUT).operationTimeout(OPERATION_TIMEOUT).executor(Runnable::run).build();
        this.workload = workload;
        this.body = new String(workload.body(), StandardCharsets.UTF_8);
        this.options = writeConcern == null ? WriteOptions.none() : WriteOptions.none().withWriteConcern(writeConcern);
        this.writeConcern = writeConcern;
    }

    @Override
    public String name() {
        return writeConcern == null ? "router" : "router wc=" + writeConcern;
    }

    @Override
    public CompletableFuture<Void> write(long seq) {
        return client.putJsonAsync(workload.tenant(seq), workload.key(seq), body, options).handle((result, error) -> {
            if (error == null) {
                return null;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause instanceof MeridianException meridian) {
                // The report groups errors by kind: the status and the API's code (or the client's, without answer).
                throw new WriteFailure("http " + meridian.status() + " " + meridian.code(),
                        abbreviate(meridian.getMessage()));
            }
            throw error instanceof CompletionException completion ? completion : new CompletionException(cause);
        });
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    @Override
    public void close() {
        client.close();
    }
}
