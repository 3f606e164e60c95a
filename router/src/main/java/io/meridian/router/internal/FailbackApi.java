package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.migration.Failback;
import io.meridian.migration.Failbacks;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failback endpoints, all behind {@link AdminAuth}:
 * <ul>
 *   <li>{@code GET /admin/failbacks}: {@code 200 {"failbacks":[...]}}, every failback waiting or running;</li>
 *   <li>{@code POST /admin/tenants/{tenant}/failback}: start the tenant's failback now ({@code 202});</li>
 *   <li>{@code POST /admin/tenants/{tenant}/failback/cancel}: cancel it ({@code 200}).</li>
 * </ul>
 * Only the controller runs failbacks, so every one of them runs there: on any other node it is forwarded by
 * {@link ControllerForwarder} and the controller's answer relayed as it is. Commands block until the controller's
 * duties thread ran them, so they run on {@code commands}, never on an HTTP thread. Errors are translated as the
 * migration endpoints' ({@link MigrationAdmin#translate}). Thread-safe.
 */
public final class FailbackApi {
    private static final Logger LOG = LoggerFactory.getLogger(FailbackApi.class);
    public static final String FAILBACKS_PATH = "/admin/failbacks";
    public static final String TRIGGER_PATH = "/admin/tenants/{tenant}/failback";
    public static final String CANCEL_PATH = "/admin/tenants/{tenant}/failback/cancel";
    private static final byte[] NO_BODY = new byte[0];

    private final AdminAuth auth;
    private final Failbacks failbacks;
    private final ControllerForwarder forwarder;
    private final Executor commands;
    private final int maxBodyBytes;
    private final String thisNode;

    /** @param thisNode this node as {@code <region>/<node id>}: who asked, when the request arrived here */
    public FailbackApi(AdminAuth auth, Failbacks failbacks, ControllerForwarder forwarder, Executor commands,
                       int maxBodyBytes, String thisNode) {
        this.auth = auth;
        this.failbacks = failbacks;
        this.forwarder = forwarder;
        this.commands = commands;
        this.maxBodyBytes = maxBodyBytes;
        this.thisNode = thisNode;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, FAILBACKS_PATH, auth.protect(this::list));
        endpoints.add(HandlerType.POST, TRIGGER_PATH, auth.protect(this::trigger));
        endpoints.add(HandlerType.POST, CANCEL_PATH, auth.protect(this::cancel));
    }

    private CompletableFuture<Reply> list(Context ctx) {
        Paging paging = Paging.parse(ctx);
        return forwarder.onController(ctx, NO_BODY, () -> run(null, () -> Reply.json(200,
                paging.page("failbacks", failbacks.pending(), Failback::tenant))), CompletableFuture::completedFuture);
    }

    private CompletableFuture<Reply> trigger(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        MigrationRequest.requireEmptyCancel(body);
        String by = requestedBy(ctx);
        return forwarder.onController(ctx, body, () -> onCommands(tenant, () -> {
            Failback failback = failbacks.trigger(tenant, by);
            LOG.info("failback triggered tenant={} from={} to={} migration={} by={}", tenant, failback.fromRegion(),
                    failback.toRegion(), failback.migrationId(), by);
            return Reply.json(202, failback);
        }), CompletableFuture::completedFuture);
    }

    private CompletableFuture<Reply> cancel(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        MigrationRequest.requireEmptyCancel(body);
        String by = requestedBy(ctx);
        return forwarder.onController(ctx, body, () -> onCommands(tenant, () -> {
            Failback failback = failbacks.cancel(tenant, by);
            LOG.info("failback cancelled tenant={} from={} to={} by={}", tenant, failback.fromRegion(),
                    failback.toRegion(), by);
            return Reply.json(200, failback);
        }), CompletableFuture::completedFuture);
    }

    private CompletableFuture<Reply> onCommands(String tenant, Supplier<Reply> command) {
        try {
            return CompletableFuture.supplyAsync(() -> answer(tenant, command), commands);
        } catch (RuntimeException e) {  // rejected: the server is closing
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletableFuture<Reply> run(String tenant, Supplier<Reply> read) {
        try {
            return CompletableFuture.completedFuture(answer(tenant, read));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Reply answer(String tenant, Supplier<Reply> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw MigrationAdmin.translate(e, tenant, "").orElseThrow(() -> e);
        }
    }

    private String requestedBy(Context ctx) {
        String forwardedBy = ctx.header(Headers.FORWARDED_BY);
        return "admin API on " + (forwardedBy == null || forwardedBy.isBlank() ? thisNode : forwardedBy);
    }
}
