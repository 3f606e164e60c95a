package io.meridian.router.internal;

import io.javalin.http.HandlerType;
import io.meridian.infra.model.Placement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code GET /admin/tenants/{tenant}/verify}: the consistency check of one tenant ({@link ReplicaVerifier}), run by
 * the node that receives it against every replica region that is not syncing; answers {@code 200} with the report
 * whatever the verdict ({@code status}: consistent | divergent | unconfirmed | incomplete), {@code 404
 * tenant_not_found}. Behind {@link AdminAuth}. Thread-safe.
 */
public final class VerifyApi {
    public static final String VERIFY_PATH = "/admin/tenants/{tenant}/verify";

    private final AdminAuth auth;
    private final RegionView view;
    private final ReplicaVerifier verifier;
    private final Executor executor;

    public VerifyApi(AdminAuth auth, RegionView view, ReplicaVerifier verifier, Executor executor) {
        this.auth = auth;
        this.view = view;
        this.verifier = verifier;
        this.executor = executor;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, VERIFY_PATH, auth.protect(ctx -> {
            String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
            Placement placement = view.placement(tenant).orElseThrow(() -> DocumentWriter.tenantNotFound(tenant));
            return CompletableFuture.supplyAsync(() -> Reply.json(200,
                    verifier.verify(tenant, comparedRegions(placement))), executor);
        }));
    }

    /** The tenant's replica regions that hold a complete copy (not syncing it from a snapshot). */
    static List<String> comparedRegions(Placement placement) {
        return placement.replicas().stream().filter(r -> !placement.syncing().contains(r)).sorted().toList();
    }
}
