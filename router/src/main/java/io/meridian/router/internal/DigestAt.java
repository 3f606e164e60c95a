package io.meridian.router.internal;

import io.javalin.http.Context;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.TenantDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /admin/tenants/{tenant}/digest?min_position=P&keys=true}: the digest the consistency check compares. It
 * waits (bounded, like {@code X-Meridian-Min-Position}) until this region applied {@code min_position}, then digests
 * the tenant's copy from its WAL partition and says at which position: the partition's applied offset read before and
 * after the store scan, retried until both agree ({@code position_stable}). The store write of a record comes before
 * its applied offset moves, so equal offsets around one scan mean the scan saw exactly the records up to that
 * offset. With {@code keys=true} the body also holds every document's digest and position. Thread-safe.
 */
public final class DigestAt {
    static final String MIN_POSITION = "min_position";
    static final String KEYS = "keys";
    static final String WAIT_MS = "wait_ms";
    private static final int STABLE_ATTEMPTS = 5;

    private final RegionView view;
    private final ApplyTracker tracker;
    private final String region;
    private final int walPartitions;
    private final Duration maxWait;
    private final Executor executor;

    public DigestAt(RegionView view, ApplyTracker tracker, String region, int walPartitions, Duration maxWait,
             Executor executor) {
        this.view = view;
        this.tracker = tracker;
        this.region = region;
        this.walPartitions = walPartitions;
        this.maxWait = maxWait;
        this.executor = executor;
    }

    /** Whether {@code ctx} asks for this form of the digest rather than the plain one. */
    static boolean asked(Context ctx) {
        return ctx.queryParam(MIN_POSITION) != null || ctx.queryParam(KEYS) != null;
    }

    CompletableFuture<Reply> reply(Context ctx, String tenant) {
        Placement placement = view.placement(tenant).orElseThrow(() -> DocumentWriter.tenantNotFound(tenant));
        int partition = WalPartitioner.partitionOf(tenant, walPartitions);
        boolean withKeys = "true".equals(ctx.queryParam(KEYS));
        String min = ctx.queryParam(MIN_POSITION);
        if (min == null || min.isBlank()) {
            return CompletableFuture.supplyAsync(() -> digest(placement, partition, withKeys), executor);
        }
        Position position;
        try {
            position = Position.parse(min);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, "min_position must be <partition>:<offset>, got '"
                    + min + "'", tenant);
        }
        if (position.partition() != partition) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, "tenant " + tenant + " is on WAL partition " + partition
                    + ", min_position " + min + " is not", tenant);
        }
        Duration wait = wait(ctx.queryParam(WAIT_MS), tenant);
        return tracker.awaitApplied(position, wait).handleAsync((ok, error) -> {
            if (error != null) {
                if (ErrorResponses.unwrap(error) instanceof TimeoutException) {
                    throw ApiException.of(ErrorCode.POSITION_NOT_REACHED, "region " + region + " has not applied"
                            + " position " + position + " within " + wait.toMillis() + " ms", tenant);
                }
                throw new IllegalStateException("waiting for position " + position + " failed", error);
            }
            return digest(placement, partition, withKeys);
        }, executor);
    }

    /** {@code wait_ms}: how long to wait for {@code min_position}, at most (and by default) the node's maximum. */
    private Duration wait(String value, String tenant) {
        if (value == null || value.isBlank()) {
            return maxWait;
        }
        try {
            long millis = Long.parseLong(value);
            if (millis >= 0) {
                return Duration.ofMillis(Math.min(millis, maxWait.toMillis()));
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.of(ErrorCode.INVALID_POSITION, "wait_ms (how long to wait for min_position) must be a"
                + " non-negative number of milliseconds, got '" + value + "'", tenant);
    }

    private Reply digest(Placement placement, int partition, boolean withKeys) {
        String tenant = placement.tenant();
        TenantDigest.Snapshot snapshot = null;
        OptionalLong before = OptionalLong.empty();
        OptionalLong after = OptionalLong.empty();
        for (int attempt = 0; attempt < STABLE_ATTEMPTS; attempt++) {
            before = tracker.appliedOffset(partition);
            snapshot = view.digestSnapshot(tenant, withKeys).orElseThrow(() -> ApiException.of(ErrorCode.NOT_READY,
                    "this node has no applier", tenant));
            after = tracker.appliedOffset(partition);
            if (before.equals(after)) {
                break;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("region", region);
        body.put("replica", placement.isReplicatedTo(region));
        body.put("syncing", placement.syncing().contains(region));
        body.put("documents", snapshot.documents());
        body.put("bytes", snapshot.bytes());
        body.put("digest", snapshot.digest());
        body.put("position", after.isPresent() ? new Position(partition, after.getAsLong()).toString() : null);
        body.put("position_stable", before.equals(after));
        if (withKeys) {
            body.put("keys", snapshot.keys());
        }
        return Reply.json(200, body);
    }
}
