package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.model.Position;
import io.meridian.streams.ApplyTracker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/replication/applied?position=p:o&wait_ms=n}: how far this node's applier got in WAL partition
 * {@code p}, answered as soon as it has applied offset {@code o}, or after {@code n} ms (at most
 * {@link #MAX_WAIT_MS}) with what it has then; always {@code 200}
 * {@code {"region","node","partition","appliedOffset","reached"}} ({@code appliedOffset} -1 when it applied nothing
 * of the partition since it started). The offset is the applier's applied one, the same its heartbeats carry.
 *
 * <p>The controller asks a migration's target this way, so that it switches the moment the target passed the pause
 * fence instead of at its next heartbeat; any node answers it (in a region of several nodes, the one whose applier owns
 * the partition, see {@link OwnerForwarder}), without a token (like {@code /v1/replication/health},
 * it tells positions, nothing of the data). A waiting request holds no thread. Thread-safe.
 */
public final class AppliedApi {
    public static final String APPLIED_PATH = "/v1/replication/applied";
    public static final String POSITION_PARAM = "position";
    public static final String WAIT_PARAM = "wait_ms";
    public static final long MAX_WAIT_MS = 10_000;

    private final ApplyTracker tracker;
    private final String region;
    private final String node;
    private final int walPartitions;
    private final OwnerForwarder owners;

    /** @param owners serves each poll on the node of the region whose applier owns the partition */
    public AppliedApi(ApplyTracker tracker, String region, String node, int walPartitions, OwnerForwarder owners) {
        this.owners = owners;
        this.tracker = tracker;
        this.region = region;
        this.node = node;
        this.walPartitions = walPartitions;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, APPLIED_PATH, this::applied);
    }

    private CompletableFuture<Reply> applied(Context ctx) {
        Position position = position(ctx.queryParam(POSITION_PARAM));
        long waitMs = waitMs(ctx.queryParam(WAIT_PARAM));
        return owners.onOwner(ctx, null, position.partition(), new byte[0], () -> applied(position, waitMs));
    }

    private CompletableFuture<Reply> applied(Position position, long waitMs) {
        CompletableFuture<Void> reached = waitMs == 0 ? CompletableFuture.completedFuture(null)
                : tracker.awaitApplied(position, Duration.ofMillis(waitMs));
        // Reached or not (a timeout): the answer is where the applier is now.
        return reached.handle((ok, timedOut) -> Reply.json(200, body(position)));
    }

    private Map<String, Object> body(Position position) {
        long applied = tracker.appliedOffset(position.partition()).orElse(-1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("region", region);
        body.put("node", node);
        body.put("partition", position.partition());
        body.put("appliedOffset", applied);
        body.put("reached", applied >= position.offset());
        return body;
    }

    private Position position(String text) {
        if (text == null) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, "the query parameter " + POSITION_PARAM
                    + "=<partition>:<offset> is required, e.g. ?" + POSITION_PARAM + "=3:1042");
        }
        Position position;
        try {
            position = Position.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, POSITION_PARAM + ": " + e.getMessage());
        }
        if (position.partition() >= walPartitions) {
            throw ApiException.of(ErrorCode.INVALID_POSITION, POSITION_PARAM + " " + position + " names partition "
                    + position.partition() + ", but the WAL has " + walPartitions + " partitions");
        }
        return position;
    }

    private static long waitMs(String text) {
        if (text == null) {
            return 0;
        }
        try {
            long waitMs = Long.parseLong(text.trim());
            if (waitMs >= 0 && waitMs <= MAX_WAIT_MS) {
                return waitMs;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.of(ErrorCode.INVALID_POSITION, WAIT_PARAM + " must be a whole number of milliseconds from"
                + " 0 to " + MAX_WAIT_MS + ", got '" + text + "'");
    }
}
