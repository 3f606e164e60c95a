package io.meridian.router.internal;

import io.javalin.http.Context;
import io.meridian.router.RouterMetrics;
import io.meridian.router.RouterMetrics.OwnerForwardOutcome;
import io.meridian.streams.PartitionOwner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a data request (a document read or write, an applied-position poll) on the node of this region whose applier
 * owns the tenant's WAL partition, as Kafka Streams' metadata tells it ({@code application.server} of the node
 * running the partition's active task). That node produces the write AND decides it, so the write's verdict is
 * awaited where it is made; reads see the owner's store, the only one that has the partition.
 *
 * <ul>
 *   <li>This node owns the partition: served here, the answer names it in {@value Headers#NODE}.</li>
 *   <li>Another node does: the request is forwarded (proxied) to it, never to another region, with every end-to-end
 *       header plus {@value Headers#FORWARDED_BY}; its answer (status, headers, body) is relayed.</li>
 *   <li>No node does (a rebalance: a node joined or left): the request waits, polling the metadata, up to the
 *       rebalance wait, then gets {@code 503 partition_moving}.</li>
 *   <li>The request was already forwarded once and this node does not own the partition either (the nodes' metadata
 *       disagree during a rebalance): {@code 503 partition_moving}, not forwarded again, so requests never loop.</li>
 *   <li>The owner cannot be connected to (it left or died; the metadata does not show it yet): the request is
 *       routed again every {@link #UNREACHABLE_BACKOFF}, up to the rebalance wait (it was never sent, so this is
 *       safe); then, or when the owner fails or does not answer in time once sent, {@code 503 owner_unreachable}.</li>
 * </ul>
 * Waits are asynchronous (a timer and the JDK client's {@code sendAsync}). Thread-safe.
 */
public final class OwnerForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerForwarder.class);
    /** How often the metadata is looked at again while no node owns a partition. */
    static final Duration POLL = Duration.ofMillis(50);
    /** How long to wait before routing again a request whose owner could not be connected to. */
    static final Duration UNREACHABLE_BACKOFF = Duration.ofMillis(200);
    /**
     * Hop-by-hop headers, those the JDK client sets itself, and {@code Accept-Encoding} (the owner answers
     * uncompressed; this node's server compresses for the client as for any answer): never forwarded.
     */
    static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection", "http2-settings",
            "accept-encoding", Headers.FORWARDED_BY.toLowerCase(Locale.ROOT));
    /** The owner's answer headers that are not relayed (hop-by-hop, or set by this node's server). */
    static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
            "date", "server", "content-type", "content-encoding", "vary", ":status");

    private final RegionView view;
    private final HttpClient client;
    private final String scheme;
    private final String thisNode;
    private final String nodeId;
    private final Duration rebalanceWait;
    private final Duration requestTimeout;
    private final ScheduledExecutorService timer;
    private final Executor executor;
    private final RouterMetrics metrics;

    /**
     * @param client         sends forwarded requests; its connect timeout bounds connecting, must not follow redirects
     * @param scheme         how the nodes of this region talk to each other: {@code http} or {@code https}
     * @param thisNode       this node as {@value Headers#FORWARDED_BY} names it: {@code <region>/<node id>}
     * @param nodeId         this node's id, for {@value Headers#NODE}
     * @param rebalanceWait  how long a request waits for a partition without owner to get one
     * @param requestTimeout how long the owner may take to answer a forwarded request (longer than any wait of a
     *                       data request there)
     * @param executor       where continuations run: never the JDK client's or the timer's threads
     */
    public OwnerForwarder(RegionView view, HttpClient client, String scheme, String thisNode, String nodeId,
                          Duration rebalanceWait, Duration requestTimeout, ScheduledExecutorService timer,
                          Executor executor, RouterMetrics metrics) {
        this.view = view;
        this.client = client;
        this.scheme = scheme;
        this.thisNode = thisNode;
        this.nodeId = nodeId;
        this.rebalanceWait = rebalanceWait;
        this.requestTimeout = requestTimeout;
        this.timer = timer;
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * The answer to the data request {@code ctx} about WAL {@code partition}: {@code local}'s when this node owns it,
     * else the owner's.
     *
     * @param tenant the tenant the request is about, or null (an applied-position poll), for logs and messages
     * @param body   the request body, already read (and validated) by the caller
     */
    public CompletableFuture<Reply> onOwner(Context ctx, String tenant, int partition, byte[] body,
                                            Supplier<CompletableFuture<Reply>> local) {
        // Captured now: the context is not read once the request waits.
        Request request = new Request(ctx.method().name(), ctx.path(), ctx.queryString(), body,
                Map.copyOf(ctx.headerMap()), ctx.header(Headers.FORWARDED_BY));
        return route(request, tenant, partition, local, System.nanoTime() + rebalanceWait.toNanos());
    }

    /**
     * As {@link #onOwner(Context, String, int, byte[], Supplier)} for a request that did not come over HTTP (an ingest
     * request): {@code method rawPath} with {@code body} and {@code headers} is what is forwarded to the owner.
     */
    public CompletableFuture<Reply> onOwner(String method, String rawPath, byte[] body, Map<String, String> headers,
                                            String tenant, int partition, Supplier<CompletableFuture<Reply>> local) {
        Request request = new Request(method, rawPath, null, body, Map.copyOf(headers), null);
        return route(request, tenant, partition, local, System.nanoTime() + rebalanceWait.toNanos());
    }

    private CompletableFuture<Reply> route(Request request, String tenant, int partition,
                                           Supplier<CompletableFuture<Reply>> local, long deadline) {
        PartitionOwner owner = view.owner(partition);
        if (owner.local()) {
            if (request.forwardedBy() != null) {
                LOG.debug("serving {} {} forwarded by {} partition={}", request.method(), request.rawPath(),
                        request.forwardedBy(), partition);
            }
            return local.get().thenApply(reply -> reply.withHeader(Headers.NODE, nodeId));
        }
        if (!owner.known()) {
            if (System.nanoTime() - deadline >= 0) {
                metrics.ownerForward(OwnerForwardOutcome.NO_OWNER);
                LOG.warn("no node of this region owns WAL partition {} after {} ms tenant={} node={}", partition,
                        rebalanceWait.toMillis(), tenant == null ? "-" : tenant, thisNode);
                throw ApiException.of(ErrorCode.PARTITION_MOVING, "no node of this region owns WAL partition "
                        + partition + (tenant == null ? "" : " (tenant " + tenant + ")") + " after "
                        + rebalanceWait.toMillis() + " ms: the region is rebalancing (a node joined or left)."
                        + " Nothing was done; retry after the Retry-After delay", tenant,
                        Map.of("partition", partition), null);
            }
            // A rebalance in progress: look again shortly, holding no thread meanwhile.
            return later(POLL, request, tenant, partition, local, deadline);
        }
        String endpoint = owner.active().orElseThrow();
        if (request.forwardedBy() != null) {
            metrics.ownerForward(OwnerForwardOutcome.OWNER_LOOP);
            LOG.warn("{} {} forwarded by {} reached node {}, which does not own WAL partition {} (owner now {}):"
                    + " refused, not forwarded again", request.method(), request.rawPath(), request.forwardedBy(),
                    thisNode, partition, endpoint);
            throw ApiException.of(ErrorCode.PARTITION_MOVING, "node " + request.forwardedBy() + " forwarded this"
                    + " request to node " + thisNode + " as the owner of WAL partition " + partition + ", but the"
                    + " partition is moving between the nodes of the region. Nothing was done; retry after the"
                    + " Retry-After delay", tenant, Map.of("partition", partition), null);
        }
        return forward(endpoint, request, tenant, partition, local, deadline);
    }

    private CompletableFuture<Reply> later(Duration delay, Request request, String tenant, int partition,
                                           Supplier<CompletableFuture<Reply>> local, long deadline) {
        CompletableFuture<Void> later = new CompletableFuture<>();
        timer.schedule(() -> later.complete(null), delay.toMillis(), TimeUnit.MILLISECONDS);
        return later.thenComposeAsync(ignored -> route(request, tenant, partition, local, deadline), executor);
    }

    private CompletableFuture<Reply> forward(String endpoint, Request request, String tenant, int partition,
                                             Supplier<CompletableFuture<Reply>> local, long deadline) {
        URI target = ControllerForwarder.target(URI.create(scheme + "://" + endpoint), request.rawPath(),
                request.rawQuery());
        HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                .timeout(requestTimeout)
                .method(request.method(), request.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()))
                .header(Headers.FORWARDED_BY, thisNode);
        request.headers().forEach((name, value) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        long start = System.nanoTime();
        return client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handleAsync((response, error) -> {
                    if (error != null) {
                        Throwable cause = ErrorResponses.unwrap(error);
                        if (ControllerForwarder.notSent(cause) && System.nanoTime() - deadline < 0) {
                            // The owner never saw it (it left or died, and the metadata does not show it yet):
                            // route again once the region has rebalanced, within the same wait.
                            LOG.debug("owner {} of WAL partition {} not reachable ({}); routing again", endpoint,
                                    partition, cause.toString());
                            return later(UNREACHABLE_BACKOFF, request, tenant, partition, local, deadline);
                        }
                        metrics.ownerForward(OwnerForwardOutcome.OWNER_UNREACHABLE);
                        throw unreachable(endpoint, request, tenant, partition, cause,
                                Duration.ofNanos(System.nanoTime() - start));
                    }
                    metrics.ownerForward(OwnerForwardOutcome.OWNER_RELAYED);
                    return CompletableFuture.completedFuture(relay(response));
                }, executor).thenCompose(reply -> reply);
    }

    static Reply relay(HttpResponse<byte[]> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> {
            if (!values.isEmpty() && !NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, values.get(0));
            }
        });
        String contentType = response.headers().firstValue(ControllerForwarder.CONTENT_TYPE).orElse(Reply.JSON);
        return new Reply(response.statusCode(), headers, contentType, response.body());
    }

    private ApiException unreachable(String endpoint, Request request, String tenant, int partition, Throwable error,
                                     Duration elapsed) {
        // Connecting failed: the owner never saw the request. Later failures: it may have acted on it.
        boolean notSent = ControllerForwarder.notSent(error);
        String what = ControllerForwarder.failure(error, requestTimeout);
        LOG.warn("forwarding {} {} from {} to {}, owner of WAL partition {}, failed after {} ms tenant={}: {}",
                request.method(), request.rawPath(), thisNode, endpoint, partition, elapsed.toMillis(),
                tenant == null ? "-" : tenant, error.toString());
        String advice = notSent || request.method().equals("GET")
                ? "; nothing was done. The node may have left the region, which then rebalances: retry after the"
                        + " Retry-After delay"
                : "; the write may or may not have been applied: retry with the same Idempotency-Key, or read the"
                        + " document to check";
        return ApiException.of(ErrorCode.OWNER_UNREACHABLE, "node " + endpoint + " of this region, owner of WAL"
                + " partition " + partition + ", " + what + advice, tenant,
                Map.of("owner", endpoint, "partition", partition), error);
    }

    private record Request(String method, String rawPath, String rawQuery, byte[] body, Map<String, String> headers,
                           String forwardedBy) {
    }
}
