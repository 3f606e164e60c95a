package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.regions.RegionPauses;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The placement admin endpoints, all behind {@link AdminAuth}: {@code PUT|GET /admin/tenants/{tenant}/placement} and
 * {@code GET|PUT /admin/tenants} (the list; many placements at once). Never redirected: reads are served by any node from its placement view; a change runs
 * on the controller, forwarded there by {@link ControllerForwarder} from any other node. Thread-safe.
 */
public final class AdminApi {
    public static final String PLACEMENT_PATH = "/admin/tenants/{tenant}/placement";
    public static final String TENANTS_PATH = "/admin/tenants";

    private final AdminAuth auth;
    private final PlacementAdmin admin;
    private final ControllerForwarder forwarder;
    private final Set<String> regions;
    private final int maxBodyBytes;
    private final RegionPauses pauses;
    private final BulkPlacementAdmin bulk;

    /**
     * @param bulk   bulk changes, on the same serial executor as {@code admin}'s
     * @param pauses a placement may not make a region whose replication is paused accept writes
     */
    public AdminApi(AdminAuth auth, PlacementAdmin admin, BulkPlacementAdmin bulk, ControllerForwarder forwarder,
                    Set<String> regions, int maxBodyBytes, RegionPauses pauses) {
        this.pauses = pauses;
        this.auth = auth;
        this.admin = admin;
        this.forwarder = forwarder;
        this.regions = Collections.unmodifiableSet(new LinkedHashSet<>(regions));  // keeps configured order
        this.maxBodyBytes = maxBodyBytes;
        this.bulk = bulk;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.PUT, PLACEMENT_PATH, auth.protect(this::putPlacement));
        endpoints.add(HandlerType.GET, PLACEMENT_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                admin.get(RequestParsing.tenant(ctx.pathParam("tenant"))))));
        endpoints.add(HandlerType.GET, TENANTS_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                admin.list(TenantListing.parse(firstValues(ctx), regions)))));
        endpoints.add(HandlerType.PUT, TENANTS_PATH, auth.protect(this::putPlacements));
    }

    private static Map<String, String> firstValues(Context ctx) {
        Map<String, String> query = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        return query;
    }

    /** {@code PUT /admin/tenants}: many placements, a result per entry (see {@link BulkPlacementAdmin}). */
    private CompletableFuture<Reply> putPlacements(Context ctx) {
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        // Validated here as well as on the controller: bad entries are reported without a hop.
        BulkPlacementRequest request = BulkPlacementRequest.parse(body, regions, this::refusePausedWriters);
        return forwarder.onController(ctx, body, () -> bulk.putAll(request), bulk::awaitRelayed);
    }

    private CompletableFuture<Reply> putPlacement(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        // Validated here as well as on the controller: a bad request is refused without a hop, even mid-election.
        PlacementRequest request = PlacementRequest.parse(body, regions);
        refusePausedWriters(tenant, request);
        return forwarder.onController(ctx, body, () -> admin.put(tenant, request), admin::awaitRelayed);
    }

    /**
     * A region whose replication is paused cannot acknowledge writes (a write waits for its own applier): refuse a
     * placement that would have it accept some ({@code target_paused}).
     */
    private void refusePausedWriters(String tenant, PlacementRequest request) {
        List<String> writers = request.mode() == ReplicationMode.MULTI_PRIMARY ? request.replicas()
                : List.of(request.primary());
        for (String region : writers) {
            if (pauses.isPaused(region)) {
                throw ApiException.of(ErrorCode.TARGET_PAUSED, "region " + region + " has its replication paused, so"
                        + " it cannot accept tenant " + tenant + "'s writes: resume it first (meridianctl region resume "
                        + region + ") or choose another primary; nothing changed", tenant, Map.of("region", region),
                        null);
            }
        }
    }
}
