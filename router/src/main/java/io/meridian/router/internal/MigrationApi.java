package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The migration endpoints, all behind {@link AdminAuth}:
 * <ul>
 *   <li>{@code POST /admin/tenants/{tenant}/migrate} {@code {"to_region":"eu-west","dry_run":false}}: {@code 202}
 *   with the migration (and {@code Location}); a dry run {@code 200} with the plan, writing nothing;</li>
 *   <li>{@code GET /admin/migrations/{id}}, {@code POST /admin/migrations/{id}/cancel},
 *   {@code GET /admin/tenants/{tenant}/migrations};</li>
 *   <li>{@code GET /admin/migrations?state=active&limit=N&cursor=C}: a page of the migrations that have not
 *   ended, oldest first.</li>
 * </ul>
 * Only the controller holds the migrations, so every one of them, reads included, runs there: on any other node it
 * is forwarded by {@link ControllerForwarder} (after the token and the request were checked here) and the
 * controller's answer relayed as it is. The work on the controller is {@link MigrationAdmin}'s. Thread-safe.
 */
public final class MigrationApi {
    public static final String MIGRATE_PATH = "/admin/tenants/{tenant}/migrate";
    public static final String TENANT_MIGRATIONS_PATH = "/admin/tenants/{tenant}/migrations";
    public static final String MIGRATION_PATH = "/admin/migrations/{id}";
    public static final String CANCEL_PATH = "/admin/migrations/{id}/cancel";
    public static final String MIGRATIONS_PATH = "/admin/migrations";
    /** What a page cursor of {@link #MIGRATIONS_PATH} looks like ({@code MigrationAdmin.cursorOf}). */
    static final Pattern CURSOR = Pattern.compile("[0-9]{20}_[A-Za-z0-9._:-]{1,128}");
    /** What a migration id can look like (the executor makes UUIDs); anything else cannot name a migration. */
    static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final byte[] NO_BODY = new byte[0];

    private final AdminAuth auth;
    private final MigrationAdmin admin;
    private final ControllerForwarder forwarder;
    private final Set<String> regions;
    private final int maxBodyBytes;
    private final String thisNode;

    /**
     * @param regions  the configured regions (a target must be one of them)
     * @param thisNode this node as {@code <region>/<node id>}: who requested a migration or cancel it received
     */
    public MigrationApi(AdminAuth auth, MigrationAdmin admin, ControllerForwarder forwarder, Set<String> regions,
                        int maxBodyBytes, String thisNode) {
        this.auth = auth;
        this.admin = admin;
        this.forwarder = forwarder;
        this.regions = Collections.unmodifiableSet(new LinkedHashSet<>(regions));  // keeps configured order
        this.maxBodyBytes = maxBodyBytes;
        this.thisNode = thisNode;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.POST, MIGRATE_PATH, auth.protect(this::migrate));
        endpoints.add(HandlerType.GET, TENANT_MIGRATIONS_PATH, auth.protect(this::list));
        endpoints.add(HandlerType.GET, MIGRATION_PATH, auth.protect(this::get));
        endpoints.add(HandlerType.POST, CANCEL_PATH, auth.protect(this::cancel));
        endpoints.add(HandlerType.GET, MIGRATIONS_PATH, auth.protect(this::listActive));
    }

    private CompletableFuture<Reply> listActive(Context ctx) {
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        for (String name : query.keySet()) {
            if (!Set.of("state", "limit", "cursor").contains(name)) {
                throw invalidPage("unknown query parameter '" + name + "': the parameters are state, limit and cursor");
            }
        }
        String state = query.getOrDefault("state", "active");
        if (!state.equals("active")) {
            throw invalidPage("'state' must be 'active' (the migrations that have not ended), got '" + state
                    + "'; a tenant's past migrations are at /admin/tenants/{tenant}/migrations");
        }
        int limit = Paging.limit(query.get("limit"));
        String cursor = query.get("cursor");
        if (cursor != null && !CURSOR.matcher(cursor).matches()) {
            throw invalidPage("'cursor' must be the 'next' of a previous page, got '" + cursor + "'");
        }
        return forwarder.onController(ctx, NO_BODY, () -> admin.active(limit, cursor),
                CompletableFuture::completedFuture);
    }

    private static ApiException invalidPage(String message) {
        return ApiException.of(ErrorCode.INVALID_PAGE, message + "; nothing else is wrong with the request");
    }

    private CompletableFuture<Reply> migrate(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        // Validated here as well as on the controller: a bad request is refused without a hop, even mid-election.
        MigrationRequest request = MigrationRequest.parse(body, regions);
        return forwarder.onController(ctx, body, () -> request.dryRun()
                        ? admin.plan(tenant, request.toRegion())
                        : admin.start(tenant, request.toRegion(), requestedBy(ctx)),
                CompletableFuture::completedFuture);
    }

    private CompletableFuture<Reply> list(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        return forwarder.onController(ctx, NO_BODY, () -> admin.list(tenant), CompletableFuture::completedFuture);
    }

    private CompletableFuture<Reply> get(Context ctx) {
        String id = migrationId(ctx.pathParam("id"));
        return forwarder.onController(ctx, NO_BODY, () -> admin.get(id), CompletableFuture::completedFuture);
    }

    private CompletableFuture<Reply> cancel(Context ctx) {
        String id = migrationId(ctx.pathParam("id"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        MigrationRequest.requireEmptyCancel(body);
        return forwarder.onController(ctx, body, () -> admin.cancel(id, requestedBy(ctx)),
                CompletableFuture::completedFuture);
    }

    /** The node that received the request from the client: the forwarding node, or this one. */
    private String requestedBy(Context ctx) {
        String forwardedBy = ctx.header(Headers.FORWARDED_BY);
        return "admin API on " + (forwardedBy == null || forwardedBy.isBlank() ? thisNode : forwardedBy);
    }

    /** An id that cannot name a migration is answered {@code 404} here, without asking the controller. */
    static String migrationId(String id) {
        if (id == null || !MIGRATION_ID.matcher(id).matches()) {
            throw MigrationAdmin.notFound(id == null ? "" : id.length() > 140 ? id.substring(0, 140) + "..." : id);
        }
        return id;
    }
}
