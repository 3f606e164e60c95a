package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.api.AutomaticFailoverReport;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.regions.RegionPauses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pausing and resuming automatic failover cluster-wide (like {@code patronictl pause}), behind {@link AdminAuth}:
 * {@code GET /admin/replication/automatic-failover}, {@code POST .../pause}, {@code POST .../resume}.
 *
 * <p>The intent is durable: a record under {@link RegionPause#AUTOMATIC_FAILOVER} in {@code meridian.regions}, which
 * every node reads, so whichever node is (or becomes) controller honours it. Served by any node, not forwarded: it
 * needs no elected controller. Idempotent as the region pause is: pausing a paused failover answers 200 with
 * {@code "changed": false} and keeps the first pause's time and reason. Manual failover is not affected. Thread-safe.
 */
public final class FailoverPauseApi {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverPauseApi.class);
    public static final String PATH = "/admin/replication/automatic-failover";
    public static final String PAUSE_PATH = PATH + "/pause";
    public static final String RESUME_PATH = PATH + "/resume";

    private final AdminAuth auth;
    private final RegionPauses pauses;
    private final boolean enabled;
    private final String thisNode;
    private final int maxBodyBytes;
    private final Clock clock;

    /** @param enabled whether this node's configuration turns automatic failover on ({@code failover.enabled}) */
    public FailoverPauseApi(AdminAuth auth, RegionPauses pauses, boolean enabled, String thisNode, int maxBodyBytes,
                            Clock clock) {
        this.auth = auth;
        this.pauses = pauses;
        this.enabled = enabled;
        this.thisNode = thisNode;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                Reply.json(200, body(pauses.automaticFailover(), enabled, null)))));
        endpoints.add(HandlerType.POST, PAUSE_PATH, auth.protect(this::pause));
        endpoints.add(HandlerType.POST, RESUME_PATH, auth.protect(this::resume));
    }

    private CompletableFuture<Reply> pause(Context ctx) {
        String reason = RegionApi.reason(HttpEndpoints.body(ctx, maxBodyBytes));
        RegionPause current = pauses.automaticFailover();
        if (current.paused()) {
            return CompletableFuture.completedFuture(Reply.json(200, body(current, enabled, false)));
        }
        return publish(new RegionPause(RegionPause.AUTOMATIC_FAILOVER, true, clock.millis(), reason, thisNode));
    }

    private CompletableFuture<Reply> resume(Context ctx) {
        HttpEndpoints.body(ctx, maxBodyBytes);  // read (and bounded) even though a resume takes no fields
        RegionPause current = pauses.automaticFailover();
        if (!current.paused()) {
            return CompletableFuture.completedFuture(Reply.json(200, body(current, enabled, false)));
        }
        return publish(new RegionPause(RegionPause.AUTOMATIC_FAILOVER, false, clock.millis(), "", thisNode));
    }

    private CompletableFuture<Reply> publish(RegionPause intent) {
        Duration timeout = RegionApi.PUBLISH_TIMEOUT;
        return pauses.publish(intent)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((published, error) -> {
                    if (error != null) {
                        Throwable cause = ErrorResponses.unwrap(error);
                        String what = cause instanceof TimeoutException
                                ? "was not acknowledged and read back within " + timeout.toMillis() + " ms"
                                : "failed (" + cause + ")";
                        throw ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, "publishing the "
                                + (intent.paused() ? "pause" : "resume") + " of automatic failover to"
                                + " meridian.regions " + what + ": retry (the request is idempotent)", null,
                                Map.of(), cause);
                    }
                    LOG.info("automatic failover {} by={} reason='{}'", published.paused() ? "paused" : "resumed",
                            published.requestedBy(), published.reason());
                    return Reply.json(200, body(published, enabled, true));
                });
    }

    /**
     * {@code {"enabled","paused","since","sinceMillis","reason","requestedBy"}} and, for a change, {@code "changed"};
     * {@code since} is null when never paused. Also the {@code automaticFailover} object of the replication health.
     */
    static AutomaticFailoverReport body(RegionPause pause, boolean enabled, Boolean changed) {
        boolean never = pause.sinceMillis() == 0;
        return new AutomaticFailoverReport(enabled, pause.paused(),
                never ? null : Instant.ofEpochMilli(pause.sinceMillis()).toString(),
                never ? null : pause.sinceMillis(), pause.reason(), pause.requestedBy(), changed);
    }
}
