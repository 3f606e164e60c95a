package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.api.AutomaticFailoverReport;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.regions.RegionPauses;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Pausing and resuming automatic failover cluster-wide (like {@code patronictl pause}), behind {@link AdminAuth}:
 * {@code GET /admin/replication/automatic-failover}, {@code POST .../pause}, {@code POST .../resume}.
 *
 * <p>The intent is durable: a record under {@link RegionPause#AUTOMATIC_FAILOVER} in {@code meridian.regions}, which
 * every node reads, so whichever node is (or becomes) controller honours it. Served by any node, not forwarded: it
 * needs no elected controller. Idempotent across nodes as the region pause is ({@link PauseIntentChanges}): pausing
 * a paused failover answers 200 with {@code "changed": false} and keeps the first pause's time and reason. Manual failover is not affected. Thread-safe.
 */
public final class FailoverPauseApi {
    public static final String PATH = "/admin/replication/automatic-failover";
    public static final String PAUSE_PATH = PATH + "/pause";
    public static final String RESUME_PATH = PATH + "/resume";

    private final AdminAuth auth;
    private final RegionPauses pauses;
    private final PauseIntentChanges changes;
    private final boolean enabled;
    private final int maxBodyBytes;

    /** @param enabled whether this node's configuration turns automatic failover on ({@code failover.enabled}) */
    public FailoverPauseApi(AdminAuth auth, RegionPauses pauses, boolean enabled, String thisNode, int maxBodyBytes,
                            Clock clock) {
        this.auth = auth;
        this.pauses = pauses;
        this.changes = new PauseIntentChanges(pauses, thisNode, clock);
        this.enabled = enabled;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                Reply.json(200, body(pauses.automaticFailover(), enabled, null)))));
        endpoints.add(HandlerType.POST, PAUSE_PATH, auth.protect(this::pause));
        endpoints.add(HandlerType.POST, RESUME_PATH, auth.protect(this::resume));
    }

    private CompletableFuture<Reply> pause(Context ctx) {
        String reason = PauseIntentChanges.reason(HttpEndpoints.body(ctx, maxBodyBytes));
        return changes.set(RegionPause.AUTOMATIC_FAILOVER, true, reason, "automatic failover", Map.of(), () -> { })
                .thenApply(this::reply);
    }

    private CompletableFuture<Reply> resume(Context ctx) {
        HttpEndpoints.body(ctx, maxBodyBytes);  // read (and bounded) even though a resume takes no fields
        return changes.set(RegionPause.AUTOMATIC_FAILOVER, false, "", "automatic failover", Map.of(), () -> { })
                .thenApply(this::reply);
    }

    private Reply reply(PauseIntentChanges.Outcome outcome) {
        return Reply.json(200, body(outcome.intent(), enabled, outcome.changed()));
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
