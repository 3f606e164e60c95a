package io.meridian.router.internal;

import io.meridian.infra.model.Placement;
import io.meridian.router.RouterMetrics;
import io.meridian.router.RouterMetrics.RedirectReason;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.NotReadyException;
import io.meridian.streams.StoredDocument;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path: placement → route (redirect to a replica region when this one holds no copy, or to the preferred
 * region) → wait, bounded, until this region applied the client's minimum position → the document as this region
 * holds it (on a node that just took the tenant's partition over, once restored: bounded). Thread-safe.
 */
public final class DocumentReader {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentReader.class);

    private final Routing routing;
    private final PlacementCache cache;
    private final RegionView view;
    private final ApplyTracker tracker;
    private final Duration minPositionWait;
    private final Executor executor;
    private final RouterMetrics metrics;
    private final ReadConcerns concerns;
    private final PausedReads paused;
    private final Duration restoreWait;
    private final ScheduledExecutorService timer;

    /**
     * @param concerns    reads with {@code X-Meridian-Read-Concern}, which ask several regions
     * @param paused      whether this region's replication is paused, for the answer's header or a redirect
     * @param restoreWait how long a read waits for this node's copy of the tenant's partition to be queryable (a
     *                    partition that just moved here is restored first)
     */
    public DocumentReader(Routing routing, PlacementCache cache, RegionView view, ApplyTracker tracker,
                          Duration minPositionWait, Executor executor, RouterMetrics metrics, ReadConcerns concerns,
                          PausedReads paused, Duration restoreWait, ScheduledExecutorService timer) {
        this.concerns = concerns;
        this.paused = paused;
        this.restoreWait = restoreWait;
        this.timer = timer;
        this.routing = routing;
        this.cache = cache;
        this.view = view;
        this.tracker = tracker;
        this.minPositionWait = minPositionWait;
        this.executor = executor;
        this.metrics = metrics;
    }

    public CompletableFuture<Reply> read(ReadCommand command) {
        Placement placement = cache.get(command.tenant())
                .orElseThrow(() -> DocumentWriter.tenantNotFound(command.tenant()));
        if (command.readConcern() != null) {
            return concerns.read(command, placement, command.readConcern());  // never redirected: it asks the regions
        }
        Routing.Route route = routing.forRead(placement, command.preferredRegion());
        Optional<String> pausedHeader = route instanceof Routing.Serve ? paused.header() : Optional.empty();
        if (pausedHeader.isPresent() && command.redirectIfPaused() && !placement.primary().equals(routing.region())) {
            route = new Routing.Redirect(placement.primary(), RedirectReason.PAUSED_REGION);
        }
        if (route instanceof Routing.Redirect redirect) {
            metrics.redirect(redirect.reason());
            LOG.debug("redirect read tenant={} key={} epoch={} to={} reason={}", command.tenant(), command.key(),
                    placement.epoch(), redirect.region(), redirect.reason().tagValue());
            return CompletableFuture.completedFuture(
                    routing.redirectReply(redirect, command.tenant(), command.rawPath(), command.rawQuery()));
        }
        if (command.minPosition() == null) {
            return lookUpWhenRestored(command, System.nanoTime() + restoreWait.toNanos());
        }
        // A paused region does not get any further: waiting for a position it has not applied would only time out.
        if (pausedHeader.isPresent() && tracker.appliedOffset(command.minPosition().partition()).orElse(-1)
                < command.minPosition().offset()) {
            throw ApiException.of(ErrorCode.POSITION_NOT_REACHED, "region " + routing.region() + " has its"
                    + " replication paused and has not applied position " + command.minPosition() + ": read from the"
                    + " primary " + placement.primary() + ", or send " + Headers.IF_PAUSED + ": redirect",
                    command.tenant(), Map.of("primary", placement.primary()), null);
        }
        return tracker.awaitApplied(command.minPosition(), minPositionWait)
                .handleAsync((ok, error) -> {
                    if (error != null) {
                        if (ErrorResponses.unwrap(error) instanceof TimeoutException) {
                            throw ApiException.of(ErrorCode.POSITION_NOT_REACHED, "region " + routing.region()
                                    + " has not applied position " + command.minPosition() + " within "
                                    + minPositionWait.toMillis() + " ms: retry after the Retry-After delay, or read"
                                    + " from the primary " + placement.primary(), command.tenant(),
                                    Map.of("primary", placement.primary()), null);
                        }
                        throw new IllegalStateException("waiting for position " + command.minPosition() + " failed",
                                error);
                    }
                    return lookUpWhenRestored(command, System.nanoTime() + restoreWait.toNanos());
                }, executor).thenCompose(reply -> reply);
    }

    /**
     * The look-up, retried while this node's store of the tenant's partition is not queryable (restoring after a
     * rebalance moved the partition here), until {@code deadline}; then {@code 503 not_ready}.
     */
    private CompletableFuture<Reply> lookUpWhenRestored(ReadCommand command, long deadline) {
        try {
            return CompletableFuture.completedFuture(lookUp(command));
        } catch (NotReadyException e) {
            if (System.nanoTime() - deadline >= 0) {
                LOG.info("read not served: state not queryable after {} ms tenant={} key={}: {}",
                        restoreWait.toMillis(), command.tenant(), command.key(), e.getMessage());
                throw e;
            }
            CompletableFuture<Void> later = new CompletableFuture<>();
            timer.schedule(() -> later.complete(null), OwnerForwarder.POLL.toMillis(), TimeUnit.MILLISECONDS);
            return later.thenComposeAsync(ignored -> lookUpWhenRestored(command, deadline), executor);
        }
    }

    private Reply lookUp(ReadCommand command) {
        StoredDocument document = view.document(command.tenant(), command.key())
                .orElseThrow(() -> ApiException.of(ErrorCode.DOCUMENT_NOT_FOUND, "tenant " + command.tenant()
                        + " has no document '" + command.key() + "' in region " + routing.region()
                        + " (if you just wrote it, send the position you got as X-Meridian-Min-Position)",
                        command.tenant()));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Headers.POSITION, document.position());
        headers.put(Headers.EPOCH, Long.toString(document.epoch()));
        headers.put(Headers.REGION, routing.region());
        paused.header().ifPresent(value -> headers.put(Headers.REPLICATION_PAUSED, value));
        return Reply.json(200, document.value(), headers);
    }
}
