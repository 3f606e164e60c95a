package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.IngestRequest;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.WalPartitioner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP write path for requests read from {@code meridian.ingest}: a request is checked as the document endpoints
 * check theirs ({@link RequestParsing}, {@link DocumentLimit}), then written exactly as {@code PUT|DELETE
 * /v1/tenants/{tenant}/docs/{key}} with {@code Idempotency-Key: <requestId>} would be: on the node of this region
 * owning the tenant's WAL partition ({@link OwnerForwarder}) by {@link DocumentWriter}, and, when the tenant's primary
 * is another region (the writer's 307), in that region, following the redirect over HTTP as a client would, with the
 * same method, body and headers. Every ending is a {@link Reply}: the answer the HTTP API gives to the same write.
 * Thread-safe.
 */
public final class IngestWrites {
    private static final Logger LOG = LoggerFactory.getLogger(IngestWrites.class);
    /** Redirects followed for one attempt: a placement that moves faster than that is retried later. */
    static final int MAX_REDIRECTS = 3;
    private static final String EXAMPLE = "{\"requestId\":\"order-42-v1\",\"tenant\":\"acme\",\"key\":\"order-42\","
            + "\"op\":\"put\",\"value\":{\"total\":12}}";

    private final DocumentWriter writer;
    private final OwnerForwarder owners;
    private final DocumentLimit limit;
    private final ErrorResponses errors;
    private final HttpClient client;
    private final Duration requestTimeout;
    private final int walPartitions;
    private final Executor executor;

    /**
     * @param client         sends the write to the primary region when it is another; must not follow redirects
     * @param requestTimeout how long that region may take to answer (longer than any wait of a write there)
     * @param executor       where continuations run: never the JDK client's threads
     */
    public IngestWrites(DocumentWriter writer, OwnerForwarder owners, DocumentLimit limit, ErrorResponses errors,
                        HttpClient client, Duration requestTimeout, int walPartitions, Executor executor) {
        this.writer = writer;
        this.owners = owners;
        this.limit = limit;
        this.errors = errors;
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.walPartitions = walPartitions;
        this.executor = executor;
    }

    /** A request as read: a write to make, or why it is not one. */
    public sealed interface Parsed permits Valid, Malformed {
    }

    /**
     * A valid request: its write, and the HTTP request that makes it ({@code body} is the document of a put, empty
     * for a delete).
     */
    public record Valid(IngestRequest request, WriteCommand command, byte[] body) implements Parsed {
        /** The document the request writes, {@code tenant/key}: requests for one document are written in order. */
        public String document() {
            return command.tenant() + "/" + command.key();
        }
    }

    /**
     * A request that is not a valid write request: the answer the HTTP API would give ({@code reason}), and what could
     * be read of it (each may be null).
     */
    public record Malformed(String requestId, String tenant, String key, String op, Reply reason)
            implements Parsed {
    }

    /** Reads and checks one {@code meridian.ingest} record value (may be null). */
    public Parsed parse(byte[] value) {
        if (value == null) {
            return malformed(null, ApiException.of(ErrorCode.INVALID_INGEST_REQUEST, "the record has no value (a"
                    + " tombstone): a write request is a JSON object like " + EXAMPLE));
        }
        JsonNode node;
        try {
            node = RequestParsing.jsonObject(value, IngestRequest.FIELDS, EXAMPLE,
                    message -> ApiException.of(ErrorCode.INVALID_INGEST_REQUEST, message));
        } catch (ApiException e) {
            return malformed(readableTree(value), e);
        }
        try {
            return valid(node);
        } catch (ApiException e) {
            return malformed(node, e);
        }
    }

    private Valid valid(JsonNode node) {
        String requestId = text(node, "requestId", ErrorCode.INVALID_IDEMPOTENCY_KEY);
        if (requestId == null) {
            throw ApiException.of(ErrorCode.INVALID_IDEMPOTENCY_KEY, "'requestId' is missing: every request names"
                    + " its write with 1-" + RequestParsing.MAX_IDEMPOTENCY_KEY_LENGTH + " printable ASCII characters"
                    + " (its Idempotency-Key), so that reading it twice writes it once");
        }
        String writeId = RequestParsing.writeId(requestId, () -> {
            throw new IllegalStateException("unreachable");
        });
        String tenant = RequestParsing.tenant(text(node, "tenant", ErrorCode.INVALID_TENANT));
        String key = RequestParsing.key(text(node, "key", ErrorCode.INVALID_KEY));
        String op = text(node, "op", ErrorCode.INVALID_INGEST_REQUEST);
        String ifMatch = RequestParsing.ifMatch(text(node, "ifMatch", ErrorCode.INVALID_IF_MATCH));
        JsonNode value = node.get("value");
        RawJson document;
        if (IngestRequest.PUT.equals(op)) {
            if (value == null || value.isNull()) {
                throw ApiException.of(ErrorCode.INVALID_DOCUMENT, "a put needs a 'value' that is not JSON null: send"
                        + " the document, or op 'delete' to remove it");
            }
            document = RawJson.of(value);
            limit.check(tenant, key, document, writeId);
        } else if (IngestRequest.DELETE.equals(op)) {
            if (value != null && !value.isNull()) {
                throw ApiException.of(ErrorCode.INVALID_INGEST_REQUEST, "a delete has no 'value': leave it out, or"
                        + " send op 'put'");
            }
            document = null;
        } else {
            throw ApiException.of(ErrorCode.INVALID_INGEST_REQUEST, "'op' must be 'put' or 'delete', got "
                    + (op == null ? "none" : "'" + op + "'") + "; e.g. " + EXAMPLE);
        }
        String path = "/v1/tenants/" + tenant + "/docs/" + key;
        WriteCommand command = new WriteCommand(tenant, key, document, writeId, false, path, null, null, ifMatch);
        IngestRequest request = new IngestRequest(writeId, tenant, key, op, document,
                ifMatch.isEmpty() ? null : ifMatch);
        byte[] body = document == null ? new byte[0] : document.text().getBytes(StandardCharsets.UTF_8);
        return new Valid(request, command, body);
    }

    /** A field that must be a string when present; null when absent or JSON null. */
    private static String text(JsonNode node, String field, ErrorCode code) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.of(code, "'" + field + "' must be a string, got " + value.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT) + "; e.g. " + EXAMPLE);
        }
        return value.textValue();
    }

    private Malformed malformed(JsonNode node, ApiException reason) {
        return new Malformed(readable(node, "requestId"), readable(node, "tenant"), readable(node, "key"),
                readable(node, "op"), errors.toReply(reason, null));
    }

    /** The record as JSON if it is an object (an unknown field, say), for what can be read of it; else null. */
    private static JsonNode readableTree(byte[] value) {
        try {
            JsonNode node = io.meridian.infra.serde.Json.readTree(value);
            return node.isObject() ? node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** What a malformed request says in {@code field}, if it is a string: to key and describe its outcome. */
    private static String readable(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /**
     * Makes the write of {@code valid} once: the HTTP API's answer to it, never a failed future. A 307 that is still
     * a 307 after {@link #MAX_REDIRECTS} redirects is returned as it is.
     */
    public CompletableFuture<Reply> write(Valid valid) {
        WriteCommand command = valid.command();
        Map<String, String> headers = headers(valid);
        CompletableFuture<Reply> local;
        try {
            local = owners.onOwner(method(command), command.rawPath(), valid.body(), headers, command.tenant(),
                    WalPartitioner.partitionOf(command.tenant(), walPartitions), () -> writer.write(command));
        } catch (RuntimeException e) {
            local = CompletableFuture.failedFuture(e);
        }
        return local.handle((reply, error) -> error == null ? reply : errors.toReply(error, command.tenant()))
                .thenCompose(reply -> follow(valid, headers, reply, 0));
    }

    private CompletableFuture<Reply> follow(Valid valid, Map<String, String> headers, Reply reply, int redirects) {
        String location = reply.header(ControllerForwarder.LOCATION);
        if (reply.status() != 307 || location == null || redirects >= MAX_REDIRECTS) {
            return CompletableFuture.completedFuture(reply);
        }
        WriteCommand command = valid.command();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(location))
                .timeout(requestTimeout)
                .method(method(command), valid.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(valid.body()));
        headers.forEach(request::header);
        LOG.debug("ingest request {} of tenant={} key={} goes to {}", command.writeId(), command.tenant(),
                command.key(), location);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handleAsync((response, error) -> {
                    if (error != null) {
                        Throwable cause = ErrorResponses.unwrap(error);
                        LOG.warn("ingest request {} of tenant={} key={}: the primary region at {} did not answer: {}",
                                command.writeId(), command.tenant(), command.key(), location, cause.toString());
                        String advice = ControllerForwarder.notSent(cause) ? "; nothing was sent there"
                                : "; the write may or may not have been applied";
                        return CompletableFuture.completedFuture(errors.reply(ErrorCode.PRIMARY_UNREACHABLE,
                                "the tenant's primary region at " + location + " did not answer ("
                                        + cause.getMessage() + ")" + advice, Map.of("location", location)));
                    }
                    return follow(valid, headers, OwnerForwarder.relay(response), redirects + 1);
                }, executor)
                .thenCompose(next -> next);
    }

    private static Map<String, String> headers(Valid valid) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Headers.IDEMPOTENCY_KEY, valid.command().writeId());
        if (!valid.command().ifMatch().isEmpty()) {
            headers.put(Headers.IF_MATCH, valid.command().ifMatch());
        }
        if (!valid.command().isDelete()) {
            headers.put(ControllerForwarder.CONTENT_TYPE, Reply.JSON);
        }
        return headers;
    }

    private static String method(WriteCommand command) {
        return command.isDelete() ? "DELETE" : "PUT";
    }
}
