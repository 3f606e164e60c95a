package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.StoredDocument;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/replication/tenants/{tenant}/docs/{key}}: the document as this region holds it, never redirected,
 * with how far this region's applier got in the tenant's WAL partition; what a node coordinating a read with
 * {@code X-Meridian-Read-Concern} asks every replica region ({@link ReadConcerns}). Always {@code 200} for a valid
 * tenant and key:
 * {@code {"region","node","tenant","key","holds","partition","appliedOffset","document":{value,position,epoch,hlc,region}|null}}.
 * {@code holds} is whether this region holds a caught-up copy of the tenant by its own placement view;
 * {@code appliedOffset} is read before the document, so the document is at least that fresh. Like
 * {@code /v1/replication/applied}, served without a token: it tells no more than a read of the document. Thread-safe.
 */
public final class RegionReadApi {
    public static final String PATH = "/v1/replication/tenants/{tenant}/docs/{key}";

    private final RegionView view;
    private final ApplyTracker tracker;
    private final String region;
    private final String node;
    private final int walPartitions;

    public RegionReadApi(RegionView view, ApplyTracker tracker, String region, String node, int walPartitions) {
        this.view = view;
        this.tracker = tracker;
        this.region = region;
        this.node = node;
        this.walPartitions = walPartitions;
    }

    public void register(HttpEndpoints endpoints) {
        register(endpoints, null);
    }

    /**
     * @param access with {@code data.auth.enabled}, region reads need what a read needs (a key of the tenant, or a
     *               full admin token: what nodes send); never rate limited. Null or off: no token, as before
     */
    public void register(HttpEndpoints endpoints, DataAccess access) {
        endpoints.add(HandlerType.GET, PATH, access == null || !access.authEnabled() ? this::read : ctx -> {
            access.authenticate(ctx);
            return read(ctx);
        });
    }

    private CompletableFuture<Reply> read(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        String key = RequestParsing.key(ctx.pathParam("key"));
        return CompletableFuture.completedFuture(Reply.json(200, answer(tenant, key)));
    }

    /** This region's answer, as the endpoint gives it (the coordinating node builds its own copy the same way). */
    Map<String, Object> answer(String tenant, String key) {
        int partition = WalPartitioner.partitionOf(tenant, walPartitions);
        // First how far the applier got, then the document: the document is then at least as fresh as the offset.
        long applied = tracker.appliedOffset(partition).orElse(-1);
        boolean holds = view.placement(tenant).map(p -> p.isCaughtUpIn(region)).orElse(false);
        Optional<StoredDocument> document = holds ? view.document(tenant, key) : Optional.empty();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("region", region);
        body.put("node", node);
        body.put("tenant", tenant);
        body.put("key", key);
        body.put("holds", holds);
        body.put("partition", partition);
        body.put("appliedOffset", applied);
        body.put("document", document.orElse(null));
        return body;
    }
}
