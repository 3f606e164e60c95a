package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The admin endpoints, all behind {@link AdminAuth}: {@code PUT|GET /admin/tenants/{tenant}/placement} and
 * {@code GET /admin/tenants}. Never redirected: any node can serve them. Thread-safe.
 */
public final class AdminApi {
    public static final String PLACEMENT_PATH = "/admin/tenants/{tenant}/placement";
    public static final String TENANTS_PATH = "/admin/tenants";

    private final AdminAuth auth;
    private final PlacementAdmin admin;
    private final Set<String> regions;
    private final int maxBodyBytes;

    public AdminApi(AdminAuth auth, PlacementAdmin admin, Set<String> regions, int maxBodyBytes) {
        this.auth = auth;
        this.admin = admin;
        this.regions = Collections.unmodifiableSet(new LinkedHashSet<>(regions));  // keeps configured order
        this.maxBodyBytes = maxBodyBytes;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.PUT, PLACEMENT_PATH, authorized(this::putPlacement));
        endpoints.add(HandlerType.GET, PLACEMENT_PATH, authorized(ctx -> CompletableFuture.completedFuture(
                admin.get(RequestParsing.tenant(ctx.pathParam("tenant"))))));
        endpoints.add(HandlerType.GET, TENANTS_PATH, authorized(ctx -> CompletableFuture.completedFuture(
                admin.list())));
    }

    private HttpEndpoints.AsyncHandler authorized(HttpEndpoints.AsyncHandler handler) {
        return ctx -> {
            auth.check(ctx.header(Headers.AUTHORIZATION));
            return handler.handle(ctx);
        };
    }

    private CompletableFuture<Reply> putPlacement(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        PlacementRequest request = PlacementRequest.parse(body, regions);
        return admin.put(tenant, request);
    }
}
