package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.WalPartitioner;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The document endpoints: {@code PUT|DELETE|GET /v1/tenants/{tenant}/docs/{key}}. Parses and validates the request,
 * then hands it to {@link DocumentWriter} or {@link DocumentReader} on the node of the region owning the tenant's WAL
 * partition ({@link OwnerForwarder}). Thread-safe.
 */
public final class DataApi {
    public static final String DOC_PATH = "/v1/tenants/{tenant}/docs/{key}";

    private final DocumentWriter writer;
    private final DocumentReader reader;
    private final int maxBodyBytes;
    private final DocumentLimit documentLimit;
    private final int walPartitions;
    private final OwnerForwarder owners;

    /** @param owners serves each request on the node of the region that owns the tenant's WAL partition */
    public DataApi(DocumentWriter writer, DocumentReader reader, int maxBodyBytes, DocumentLimit documentLimit,
                   int walPartitions, OwnerForwarder owners) {
        this.owners = owners;
        this.writer = writer;
        this.reader = reader;
        this.maxBodyBytes = maxBodyBytes;
        this.documentLimit = documentLimit;
        this.walPartitions = walPartitions;
    }

    public void register(HttpEndpoints endpoints) {
        register(endpoints, null);
    }

    /** @param access who may use the endpoints and how fast; null: anyone, unlimited */
    public void register(HttpEndpoints endpoints, DataAccess access) {
        endpoints.add(HandlerType.PUT, DOC_PATH, guarded(access, this::put));
        endpoints.add(HandlerType.DELETE, DOC_PATH, guarded(access, this::delete));
        endpoints.add(HandlerType.GET, DOC_PATH, guarded(access, this::get));
    }

    private static HttpEndpoints.AsyncHandler guarded(DataAccess access, HttpEndpoints.AsyncHandler handler) {
        return access == null ? handler : access.protect(handler);
    }

    private CompletableFuture<Reply> put(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        String key = RequestParsing.key(ctx.pathParam("key"));
        byte[] body = HttpEndpoints.body(ctx, maxBodyBytes);
        RawJson value = RawJson.of(RequestParsing.document(body));
        String idempotencyKey = ctx.header(Headers.IDEMPOTENCY_KEY);
        String writeId = RequestParsing.writeId(idempotencyKey, UUID::randomUUID);
        var writeConcern = RequestParsing.writeConcern(ctx.header(Headers.WRITE_CONCERN));
        String ifMatch = RequestParsing.ifMatch(ctx.header(Headers.IF_MATCH));
        documentLimit.check(tenant, key, value, writeId, body.length);
        WriteCommand command = new WriteCommand(tenant, key, value, writeId, idempotencyKey == null, ctx.path(),
                ctx.queryString(), writeConcern, ifMatch);
        return owners.onOwner(ctx, tenant, partitionOf(tenant), body, () -> writer.write(command));
    }

    private CompletableFuture<Reply> delete(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        String key = RequestParsing.key(ctx.pathParam("key"));
        String idempotencyKey = ctx.header(Headers.IDEMPOTENCY_KEY);
        String writeId = RequestParsing.writeId(idempotencyKey, UUID::randomUUID);
        var writeConcern = RequestParsing.writeConcern(ctx.header(Headers.WRITE_CONCERN));
        String ifMatch = RequestParsing.ifMatch(ctx.header(Headers.IF_MATCH));
        WriteCommand command = new WriteCommand(tenant, key, null, writeId, idempotencyKey == null, ctx.path(),
                ctx.queryString(), writeConcern, ifMatch);
        return owners.onOwner(ctx, tenant, partitionOf(tenant), new byte[0], () -> writer.write(command));
    }

    private CompletableFuture<Reply> get(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        String key = RequestParsing.key(ctx.pathParam("key"));
        var minPosition = RequestParsing.minPosition(ctx.header(Headers.MIN_POSITION), walPartitions);
        var readConcern = RequestParsing.readConcern(ctx.header(Headers.READ_CONCERN));
        boolean redirectIfPaused = RequestParsing.redirectIfPaused(ctx.header(Headers.IF_PAUSED));
        ReadCommand command = new ReadCommand(tenant, key, ctx.header(Headers.PREFERRED_REGION), minPosition,
                ctx.path(), ctx.queryString(), readConcern, redirectIfPaused);
        return owners.onOwner(ctx, tenant, partitionOf(tenant), new byte[0], () -> reader.read(command));
    }

    private int partitionOf(String tenant) {
        return WalPartitioner.partitionOf(tenant, walPartitions);
    }
}
