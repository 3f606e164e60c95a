package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.model.Names;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.regions.RegionPauses;
import io.meridian.router.ReplicationStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Pausing and resuming a region's replication (maintenance), behind {@link AdminAuth}:
 * {@code GET /admin/regions}, {@code GET /admin/regions/{region}}, {@code POST /admin/regions/{region}/pause} and
 * {@code POST /admin/regions/{region}/resume}.
 *
 * <p>Served by any node, not forwarded to the controller: the intent goes to {@code meridian.regions}
 * ({@link RegionPauses}), which every node and the controller read; a pause changes no placement and writes no fence,
 * so it does not wait for (or depend on) an elected controller. Both changes are idempotent: pausing a paused region
 * or resuming a running one answers 200 with {@code "changed": false} and keeps the first pause's time and reason.
 * A region that is the primary of a tenant cannot be paused ({@code 409 region_has_primaries}): its writes are
 * acknowledged only once its own applier accepted them, so pausing it would stop them. Thread-safe.
 */
public final class RegionApi {
    public static final String REGIONS_PATH = "/admin/regions";
    public static final String REGION_PATH = "/admin/regions/{region}";
    public static final String PAUSE_PATH = "/admin/regions/{region}/pause";
    public static final String RESUME_PATH = "/admin/regions/{region}/resume";
    /** Tenants named in a {@code region_has_primaries} answer (the count says how many there are). */
    static final int TENANTS_SHOWN = 20;

    private final AdminAuth auth;
    private final RegionPauses pauses;
    private final PauseIntentChanges changes;
    private final RegionView view;
    private final ReplicationStatus replication;
    private final Set<String> regions;
    private final int maxBodyBytes;

    public RegionApi(AdminAuth auth, RegionPauses pauses, RegionView view, ReplicationStatus replication,
                     Set<String> regions, String thisNode, int maxBodyBytes, Clock clock) {
        this.auth = auth;
        this.pauses = pauses;
        this.view = view;
        this.replication = replication;
        this.regions = new LinkedHashSet<>(regions);
        this.changes = new PauseIntentChanges(pauses, thisNode, clock);
        this.maxBodyBytes = maxBodyBytes;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, REGIONS_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(list())));
        endpoints.add(HandlerType.GET, REGION_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                Reply.json(200, body(pauses.state(region(ctx)), null)))));
        endpoints.add(HandlerType.POST, PAUSE_PATH, auth.protect(this::pause));
        endpoints.add(HandlerType.POST, RESUME_PATH, auth.protect(this::resume));
    }

    private Reply list() {
        List<Object> all = new ArrayList<>();
        regions.forEach(region -> all.add(body(pauses.state(region), null)));
        return Reply.json(200, Map.of("regions", all));
    }

    private CompletableFuture<Reply> pause(Context ctx) {
        String region = region(ctx);
        String reason = PauseIntentChanges.reason(HttpEndpoints.body(ctx, maxBodyBytes));
        return changes.set(region, true, reason, "region " + region, Map.of("region", region),
                () -> refuseWhilePrimary(region)).thenApply(this::reply);
    }

    private CompletableFuture<Reply> resume(Context ctx) {
        String region = region(ctx);
        HttpEndpoints.body(ctx, maxBodyBytes);  // read (and bounded) even though a resume takes no fields
        return changes.set(region, false, "", "region " + region, Map.of("region", region), () -> { })
                .thenApply(this::reply);
    }

    private void refuseWhilePrimary(String region) {
        List<String> primaries = view.placements().stream()
                .filter(p -> p.acceptsWritesIn(region))
                .map(Placement::tenant)
                .sorted()
                .toList();
        if (!primaries.isEmpty()) {
            throw ApiException.of(ErrorCode.REGION_HAS_PRIMARIES, "region " + region + " is the primary of "
                    + primaries.size() + " tenant(s) " + primaries.subList(0, Math.min(TENANTS_SHOWN, primaries.size()))
                    + (primaries.size() > TENANTS_SHOWN ? " and more" : "") + ": their writes are acknowledged only"
                    + " once this region's applier accepted them, so pausing it would stop them. Move their primaries"
                    + " first (meridianctl migrate start, or meridianctl replication failover " + region
                    + "), then pause; nothing changed", null,
                    Map.of("region", region, "tenants", primaries.size(),
                            "examples", primaries.subList(0, Math.min(TENANTS_SHOWN, primaries.size()))), null);
        }
    }

    private Reply reply(PauseIntentChanges.Outcome outcome) {
        return Reply.json(200, body(outcome.intent(), outcome.changed()));
    }

    /** The region path parameter: {@code invalid_region} for a bad name, {@code region_not_found} if not configured. */
    private String region(Context ctx) {
        String region = ctx.pathParam("region");
        try {
            Names.requireRegion(region);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_REGION, e.getMessage() + "; the regions are " + regions);
        }
        if (!regions.contains(region)) {
            throw ApiException.of(ErrorCode.REGION_NOT_FOUND, "region '" + region + "' is not a region of this"
                    + " deployment; the regions are " + regions);
        }
        return region;
    }

    /**
     * {@code {"region","paused","since","sinceMillis","reason","requestedBy","lagEntries","lagSeconds"}} and, for a
     * change, {@code "changed"}; {@code since} is null for a region never paused.
     */
    private Map<String, Object> body(RegionPause pause, Boolean changed) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("region", pause.region());
        body.put("paused", pause.paused());
        body.put("since", pause.sinceMillis() == 0 ? null : Instant.ofEpochMilli(pause.sinceMillis()).toString());
        body.put("sinceMillis", pause.sinceMillis() == 0 ? null : pause.sinceMillis());
        body.put("reason", pause.reason());
        body.put("requestedBy", pause.requestedBy());
        ReplicationLag lag = replication.lagByRegion().get(pause.region());
        body.put("lagEntries", lag == null ? null : lag.totalLagEntries());
        body.put("lagSeconds", lag == null ? null : lag.maxLagSeconds());
        if (changed != null) {
            body.put("changed", changed);
        }
        return body;
    }
}
