package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.model.Names;
import io.meridian.infra.model.Placement;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.SyncProgress;
import io.meridian.streams.SyncTracker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Full sync and re-seed over HTTP, all behind {@link AdminAuth}:
 * <ul>
 *   <li>{@code GET /admin/tenants/{tenant}/sync?region=R}: the progress of R's sync of the tenant, served by a node of
 *   R (another node answers 307 to R's URL); R defaults to this node's region.</li>
 *   <li>{@code GET /admin/syncs}: every sync this node's region has heard of.</li>
 *   <li>{@code DELETE /admin/tenants/{tenant}/sync/{region}}: cancel (the region leaves the replicas).</li>
 *   <li>{@code POST /admin/tenants/{tenant}/sync/{region}/caught-up?epoch=E}: what the region's sync reporter sends
 *   once its copy is complete; the controller clears {@code syncing}.</li>
 *   <li>{@code POST /admin/regions/{region}/reseed}: every tenant the region holds syncs again.</li>
 *   <li>{@code GET /admin/tenants/{tenant}/digest}: the digest of this region's copy of the tenant; with
 *   {@code min_position} or {@code keys}, at a position and per key ({@link DigestAt}).</li>
 * </ul>
 * Changes run on the controller ({@link ControllerForwarder}). Thread-safe.
 */
public final class SyncApi {
    public static final String SYNC_PATH = "/admin/tenants/{tenant}/sync";
    public static final String SYNCS_PATH = "/admin/syncs";
    public static final String CANCEL_PATH = "/admin/tenants/{tenant}/sync/{region}";
    public static final String CAUGHT_UP_PATH = "/admin/tenants/{tenant}/sync/{region}/caught-up";
    public static final String RESEED_PATH = "/admin/regions/{region}/reseed";
    public static final String DIGEST_PATH = "/admin/tenants/{tenant}/digest";

    private final AdminAuth auth;
    private final PlacementAdmin admin;
    private final ControllerForwarder forwarder;
    private final RegionView view;
    private final Routing routing;
    private final Set<String> regions;
    private DigestAt digestAt;
    private OwnerForwarder owners;
    private int walPartitions;

    /**
     * Serves the digest at a position ({@code min_position}, {@code keys}) too, and every digest and sync progress on
     * the node of this region that owns the tenant's WAL partition (only its store and its tracker hold the tenant: in
     * a region of several nodes the others would answer "not ready", "no documents" or "no sync").
     */
    public SyncApi withDigestAt(DigestAt digests, OwnerForwarder owners, int walPartitions) {
        this.digestAt = digests;
        this.owners = owners;
        this.walPartitions = walPartitions;
        return this;
    }

    public SyncApi(AdminAuth auth, PlacementAdmin admin, ControllerForwarder forwarder, RegionView view,
                   Routing routing, Set<String> regions) {
        this.auth = auth;
        this.admin = admin;
        this.forwarder = forwarder;
        this.view = view;
        this.routing = routing;
        this.regions = Set.copyOf(regions);
    }

    public void register(HttpEndpoints endpoints) {
        // The sync's progress is known to the node applying the tenant's partition: the others forward to it.
        endpoints.add(HandlerType.GET, SYNC_PATH, auth.protect(ctx -> onOwner(ctx,
                () -> CompletableFuture.completedFuture(status(ctx)))));
        endpoints.add(HandlerType.GET, SYNCS_PATH, auth.protect(ctx -> {
            Paging paging = Paging.parse(ctx);
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("region", routing.region());
            body.putAll(paging.page("syncs", tracker().all(), s -> s.status().tenant()));
            return CompletableFuture.completedFuture(Reply.json(200, body));
        }));
        endpoints.add(HandlerType.DELETE, CANCEL_PATH, auth.protect(ctx -> {
            String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
            String region = region(ctx.pathParam("region"));
            return forwarder.onController(ctx, new byte[0], () -> admin.cancelSync(tenant, region),
                    admin::awaitRelayed);
        }));
        endpoints.add(HandlerType.POST, CAUGHT_UP_PATH, auth.protect(ctx -> {
            String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
            String region = region(ctx.pathParam("region"));
            long epoch = epoch(ctx.queryParam("epoch"));
            return forwarder.onController(ctx, new byte[0], () -> admin.caughtUp(tenant, region, epoch),
                    CompletableFuture::completedFuture);
        }));
        endpoints.add(HandlerType.POST, RESEED_PATH, auth.protect(ctx -> {
            String region = region(ctx.pathParam("region"));
            return forwarder.onController(ctx, new byte[0], () -> admin.reseed(region),
                    CompletableFuture::completedFuture);
        }));
        endpoints.add(HandlerType.GET, DIGEST_PATH, auth.protect(ctx -> {
            String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
            return onOwner(ctx, () -> digestAt != null && DigestAt.asked(ctx) ? digestAt.reply(ctx, tenant)
                    : CompletableFuture.completedFuture(digest(tenant)));
        }));
    }

    /** {@code here} on this node if it owns the tenant's WAL partition, else the request forwarded to the owner. */
    private CompletableFuture<Reply> onOwner(Context ctx, Supplier<CompletableFuture<Reply>> here) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        return owners == null ? here.get()
                : owners.onOwner(ctx, tenant, WalPartitioner.partitionOf(tenant, walPartitions), new byte[0], here);
    }

    private Reply status(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        String asked = ctx.queryParam("region");
        String region = asked == null || asked.isBlank() ? routing.region() : region(asked);
        Placement placement = view.placement(tenant).orElseThrow(() -> DocumentWriter.tenantNotFound(tenant));
        if (!region.equals(routing.region())) {
            String location = routing.location(region, ctx.path(), ctx.queryString());
            return Reply.json(307, ErrorResponses.body("redirect", "the progress of " + region + "'s sync is known"
                    + " to its nodes: follow the Location header", Map.of("region", region, "location", location)),
                    Map.of("Location", location));
        }
        Optional<SyncProgress> progress = tracker().progress(tenant);
        if (progress.isEmpty()) {
            throw ApiException.of(ErrorCode.SYNC_NOT_FOUND, "region " + region + " has no sync of tenant " + tenant
                    + " (replicas " + placement.replicas() + ", syncing " + placement.syncing() + "): add the region"
                    + " to the tenant's replicas to start one", tenant);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sync", progress.get());
        body.put("syncing", placement.syncing().contains(region));
        body.put("placement_epoch", placement.epoch());
        return Reply.json(200, body);
    }

    private Reply digest(String tenant) {
        Placement placement = view.placement(tenant).orElseThrow(() -> DocumentWriter.tenantNotFound(tenant));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("region", routing.region());
        body.put("replica", placement.isReplicatedTo(routing.region()));
        body.put("syncing", placement.syncing().contains(routing.region()));
        body.putAll(view.digest(tenant).orElse(Map.of("documents", 0, "bytes", 0, "digest", "")));
        return Reply.json(200, body);
    }

    private SyncTracker tracker() {
        return view.syncs().orElseThrow(() -> ApiException.of(ErrorCode.NOT_READY, "this node has no applier"));
    }

    private String region(String name) {
        boolean valid;
        try {
            Names.requireRegion(name);
            valid = regions.contains(name);
        } catch (IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            throw ApiException.of(ErrorCode.UNKNOWN_REGION, "'" + name + "' is not a region of this deployment;"
                    + " the regions are " + List.copyOf(regions));
        }
        return name;
    }

    private static long epoch(String text) {
        try {
            long epoch = Long.parseLong(text == null ? "" : text);
            if (epoch >= 1) {
                return epoch;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.of(ErrorCode.INVALID_PLACEMENT, "'epoch' must be a placement epoch (a number >= 1), got '"
                + text + "'");
    }
}
