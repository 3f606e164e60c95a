package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.client.internal.Answer;
import io.meridian.client.internal.Call;
import io.meridian.client.internal.Errors;
import io.meridian.client.internal.Json;
import io.meridian.client.internal.KnownCode;
import io.meridian.client.internal.Sender;
import io.meridian.client.internal.Targets;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * The Java client of Meridian's document API ({@code router/API.md}): {@link #put}, {@link #get}, {@link #delete}.
 *
 * <p>What it does for the caller, within {@link Builder#operationTimeout(Duration)} per call:
 * <ul>
 *   <li>follows {@code 307} (a write to a region that is not the tenant's primary, a read to one that holds no copy)
 *       with the same method, body and headers, and sends the tenant's next writes to the node that accepted the
 *       last one;</li>
 *   <li>retries {@code 503} (and any other answer with {@code Retry-After}) after Retry-After, jittered, with the same
 *       {@code Idempotency-Key}, so a write is applied at most once however often it is sent;</li>
 *   <li>follows {@code 409 placement_changed} to the primary it names (the write was not applied);</li>
 *   <li>when a node does not answer, tries the next configured region's node (which redirects to the new primary once
 *       the region is failed over), with exponential backoff;</li>
 *   <li>reads its own writes in any region: each read carries the session's position of the tenant's WAL partition
 *       as {@code X-Meridian-Min-Position} (see {@link Session}).</li>
 * </ul>
 * A read can instead be pinned to one region ({@link ReadOptions#pinnedTo}): its nodes only, no redirect followed, to
 * see what that region holds. An {@link AttemptListener} ({@link Builder#attemptListener}, or per call in the options)
 * is told of every request a call sends, for callers that record each one.
 * Answers no retry changes become exceptions: {@link InvalidRequestException}, {@link TenantNotFoundException},
 * {@link ConflictException}, {@link UnavailableException} (the budget ran out), {@link MeridianException} (the rest).
 *
 * <p>Thread-safe; share one per service. {@code put}, {@code get} and {@code delete} block the calling thread; their
 * {@code ...Async} forms do not (the future completes exceptionally with the same exceptions, wrapped in
 * {@link java.util.concurrent.CompletionException} by {@code join()}). {@link #close()} releases the HTTP client's
 * threads (JDK 21+; on 17 they end when unused).
 */
public final class MeridianClient implements AutoCloseable {
    private final Targets targets;
    private final Sender sender;
    private final Session session;
    private final ClientMetrics metrics;
    private final AttemptListener attemptListener;
    private final HttpClient http;

    private MeridianClient(Builder builder) {
        this.targets = new Targets(builder.regions);
        this.session = builder.session;
        this.metrics = builder.metrics;
        this.attemptListener = builder.attemptListener;
        // Nodes speak HTTP/1.1 (no h2c): asking for HTTP/2 would only add an Upgrade header to each new connection.
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);  // followed by the client: 307 keeps the body
        if (builder.executor != null) {
            http.executor(builder.executor);
        }
        this.http = http.build();
        this.sender = new Sender(this.http, builder.requestTimeout, builder.operationTimeout, metrics,
                builder.apiKey);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This client's session: the positions its reads wait for. */
    public Session session() {
        return session;
    }

    /**
     * Writes {@code document} (anything Jackson writes: a {@link JsonNode}, a map, a record; not {@code null}).
     *
     * @throws InvalidRequestException the tenant, key or document is refused
     * @throws ConflictException       {@code If-Match} did not hold (or a multi-primary {@code reject} conflict)
     * @throws UnavailableException    not accepted within the operation timeout; may have been applied: retry with
     *                                 its {@link UnavailableException#idempotencyKey()}
     */
    public WriteResult put(String tenant, String key, Object document) {
        return put(tenant, key, document, WriteOptions.none());
    }

    public WriteResult put(String tenant, String key, Object document, WriteOptions options) {
        return sync(putCall(tenant, key, Json.write(nonNull(document)), options), this::written);
    }

    /** Writes the document given as JSON text. */
    public WriteResult putJson(String tenant, String key, String json) {
        return putJson(tenant, key, json, WriteOptions.none());
    }

    public WriteResult putJson(String tenant, String key, String json, WriteOptions options) {
        return sync(putCall(tenant, key, json.getBytes(StandardCharsets.UTF_8), options), this::written);
    }

    /** Deletes the document (accepted whether or not it exists). */
    public WriteResult delete(String tenant, String key) {
        return delete(tenant, key, WriteOptions.none());
    }

    public WriteResult delete(String tenant, String key, WriteOptions options) {
        return sync(writeCall("delete", "DELETE", tenant, key, null, options), this::written);
    }

    /**
     * The document as the client's home region holds it (another region if that one holds no copy, or does not
     * answer), once that region applied every write of this session to the tenant's partition; empty when there is
     * no such document.
     */
    public Optional<Document> get(String tenant, String key) {
        return get(tenant, key, ReadOptions.none());
    }

    /**
     * {@link #get(String, String)} with options: pinned to one region ({@link ReadOptions#pinnedTo}: what that region
     * holds, no redirect followed), waiting for a given position instead of the session's.
     *
     * @throws IllegalArgumentException the pinned region is not configured
     */
    public Optional<Document> get(String tenant, String key, ReadOptions options) {
        return sync(readCall(tenant, key, options), this::read);
    }

    /**
     * {@link #put(String, String, Object, WriteOptions)} without blocking: the future completes with the result, or
     * exceptionally with the same exceptions. Retries wait on Failsafe's scheduler, not on a caller's thread.
     */
    public CompletableFuture<WriteResult> putAsync(String tenant, String key, Object document, WriteOptions options) {
        return async(putCall(tenant, key, Json.write(nonNull(document)), options), this::written);
    }

    /** {@link #putJson(String, String, String, WriteOptions)} without blocking. */
    public CompletableFuture<WriteResult> putJsonAsync(String tenant, String key, String json, WriteOptions options) {
        return async(putCall(tenant, key, json.getBytes(StandardCharsets.UTF_8), options), this::written);
    }

    /** {@link #delete(String, String, WriteOptions)} without blocking. */
    public CompletableFuture<WriteResult> deleteAsync(String tenant, String key, WriteOptions options) {
        return async(writeCall("delete", "DELETE", tenant, key, null, options), this::written);
    }

    /** {@link #get(String, String)} without blocking. */
    public CompletableFuture<Optional<Document>> getAsync(String tenant, String key) {
        return getAsync(tenant, key, ReadOptions.none());
    }

    /** {@link #get(String, String, ReadOptions)} without blocking. */
    public CompletableFuture<Optional<Document>> getAsync(String tenant, String key, ReadOptions options) {
        return async(readCall(tenant, key, options), this::read);
    }

    private static Object nonNull(Object document) {
        return Objects.requireNonNull(document, "document (Meridian stores no null documents: delete instead)");
    }

    private Call putCall(String tenant, String key, byte[] body, WriteOptions options) {
        return writeCall("put", "PUT", tenant, key, body, options);
    }

    private Call writeCall(String op, String method, String tenant, String key, byte[] body, WriteOptions options) {
        String idempotencyKey = options.idempotencyKey().orElseGet(() -> UUID.randomUUID().toString());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Idempotency-Key", idempotencyKey);
        options.ifMatch().ifPresent(version -> headers.put("If-Match", version));
        options.writeConcern().ifPresent(concern -> headers.put("X-Meridian-Write-Concern", concern));
        return new Call(op, method, tenant, key, path(tenant, key), body, headers, idempotencyKey, targets, null,
                options.attemptListener().map(attemptListener::andThen).orElse(attemptListener));
    }

    private Call readCall(String tenant, String key, ReadOptions options) {
        String pinned = options.region().orElse(null);
        if (pinned != null && !targets.knows(pinned)) {
            throw new IllegalArgumentException("a read pinned to region '" + pinned + "', which this client does not"
                    + " know: configure it with builder().region(name, baseUrl)");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        options.minPosition().or(() -> session.minPositionFor(tenant)).ifPresent(position -> {
            headers.put("X-Meridian-Min-Position", position.toString());
            if (pinned == null) {
                // A paused region would never reach it: read from the primary instead.
                headers.put("X-Meridian-If-Paused", "redirect");
            }
        });
        return new Call("get", "GET", tenant, key, path(tenant, key), null, headers, null, targets, pinned,
                options.attemptListener().map(attemptListener::andThen).orElse(attemptListener));
    }

    /** The final answer to a write as its result, or its exception. */
    private WriteResult written(Call call, Answer answer) {
        if (answer.status() != 200 && answer.status() != 201) {
            throw Errors.of(call, answer);
        }
        JsonNode json = Json.readOrNull(answer.body());
        String positionText = json == null ? null : json.path("position").asText(null);
        if (positionText == null) {
            throw Errors.of(call, answer);
        }
        Position position = Position.parse(positionText);
        session.observe(call.tenant(), position);
        JsonNode current = json.get("current");
        return new WriteResult(call.tenant(), call.key(), position, json.path("epoch").asLong(-1),
                json.path("region").asText(null), json.path("superseded").asBoolean(false),
                current == null || current.isNull() ? Optional.empty() : Optional.of(current.asText()));
    }

    /** The final answer to a read as its document (empty: none), or its exception. */
    private Optional<Document> read(Call call, Answer answer) {
        if (answer.status() == 404 && KnownCode.DOCUMENT_NOT_FOUND.is(answer.code())) {
            return Optional.empty();
        }
        if (answer.status() != 200 || answer.header("X-Meridian-Position").isEmpty()) {
            throw Errors.of(call, answer);
        }
        Position position = Position.parse(answer.header("X-Meridian-Position").get());
        session.observe(call.tenant(), position);
        return Optional.of(new Document(call.tenant(), call.key(), Json.readOrNull(answer.body()), position,
                answer.header("X-Meridian-Epoch").map(Long::parseLong).orElse(-1L),
                answer.header("X-Meridian-Region").orElse(null)));
    }

    private <T> T sync(Call call, BiFunction<Call, Answer, T> decode) {
        long start = System.nanoTime();
        Answer answer = null;
        Throwable error = null;
        try {
            answer = sender.send(call);
        } catch (IOException | InterruptedException e) {
            error = e;  // mapped below, as an asynchronous call's
        }
        return decoded(call, answer, error, start, decode);
    }

    private <T> CompletableFuture<T> async(Call call, BiFunction<Call, Answer, T> decode) {
        long start = System.nanoTime();
        return sender.sendAsync(call).handle((answer, error) -> decoded(call, answer, error, start, decode));
    }

    /** The call's result from its final answer (or what it failed with), counted in the metrics. */
    private <T> T decoded(Call call, Answer answer, Throwable error, long start, BiFunction<Call, Answer, T> decode) {
        String outcome = "failed";
        try {
            if (error != null) {
                throw Errors.failure(call, error);
            }
            T result = decode.apply(call, answer);
            outcome = outcome(result);
            return result;
        } catch (MeridianException e) {
            outcome = outcome(e);
            throw e;
        } finally {
            metrics.operation(call.op(), outcome, System.nanoTime() - start);
        }
    }

    private static String outcome(Object result) {
        return result instanceof Optional<?> optional && optional.isEmpty() ? "not_found" : "ok";
    }

    private static String outcome(MeridianException e) {
        if (e instanceof UnavailableException) {
            return "unavailable";
        }
        return e.status() >= 400 && e.status() < 500 ? "rejected" : "failed";
    }

    private static String path(String tenant, String key) {
        return "/v1/tenants/" + segment(Objects.requireNonNull(tenant, "tenant")) + "/docs/"
                + segment(Objects.requireNonNull(key, "key"));
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Nothing to release on JDK 17 (the HTTP client's threads end when unused); safe to call twice. */
    @Override
    public void close() {
        if (http instanceof AutoCloseable closeable) {  // JDK 21+
            try {
                closeable.close();
            } catch (Exception e) {
                // closing releases threads only; nothing to report
            }
        }
    }

    /**
     * Settings of a {@link MeridianClient}. Defaults: connect timeout 2 s, request timeout 30 s (longer than a node
     * holds a write: pause budget, apply timeout), operation timeout 60 s (long enough to ride out a migration's
     * pause and a region's failover), a new {@link Session}, no metrics.
     */
    public static final class Builder {
        private final Map<String, List<URI>> regions = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration operationTimeout = Duration.ofSeconds(60);
        private Session session = new Session();
        private ClientMetrics metrics = ClientMetrics.NONE;
        private AttemptListener attemptListener = AttemptListener.NONE;
        private Executor executor;
        private String apiKey;

        private Builder() {
        }

        /**
         * The data API key sent with every request ({@code Authorization: Bearer <key>}), for nodes with
         * {@code data.auth.enabled}; also to the regions a redirect leads to (every node holds the same keys).
         */
        public Builder apiKey(String key) {
            Objects.requireNonNull(key, "key");
            if (key.isBlank()) {
                throw new IllegalArgumentException("an API key must not be blank");
            }
            this.apiKey = key.strip();
            return this;
        }

        /**
         * A region and the base URL of a node there (or of a load balancer in front of its nodes), e.g.
         * {@code region("us-east", "http://meridian.us-east.internal:8080")}; more nodes of the region after it (a
         * node that does not answer is followed by the next of its region, then by the next region's). The first
         * region is the client's home: reads and a tenant's first write go there. Name every region so that the
         * client can follow a placement change to the new primary and fall back to another region when one does not
         * answer.
         */
        public Builder region(String name, String baseUrl, String... moreNodes) {
            Objects.requireNonNull(name, "name");
            List<URI> nodes = new ArrayList<>();
            nodes.add(url(name, baseUrl));
            for (String node : moreNodes) {
                nodes.add(url(name, node));
            }
            regions.put(name, List.copyOf(nodes));
            return this;
        }

        private static URI url(String region, String baseUrl) {
            URI url;
            try {
                url = URI.create(Objects.requireNonNull(baseUrl, "baseUrl"));
            } catch (IllegalArgumentException e) {
                url = URI.create("");
            }
            if (url.getScheme() == null || url.getHost() == null
                    || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
                throw new IllegalArgumentException("'" + baseUrl + "' is not a node's base URL (region " + region
                        + "); use e.g. http://127.0.0.1:8081");
            }
            return url;
        }

        /** How long connecting to a node may take before the next region is tried. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long one attempt waits for its answer. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** How long one call (put, get, delete) may take in all, retries included, before it throws. */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = positive(timeout, "operationTimeout");
            return this;
        }

        /** The session whose positions reads wait for (share one between clients to share a session). */
        public Builder session(Session session) {
            this.session = Objects.requireNonNull(session, "session");
            return this;
        }

        /** Where to report calls and retries, e.g. {@code new MicrometerClientMetrics(registry)}. */
        public Builder metrics(ClientMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Told of every request of every call (each retry, redirect and node tried), e.g. to count them. */
        public Builder attemptListener(AttemptListener listener) {
            this.attemptListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The executor of the JDK HTTP client's asynchronous work (its default otherwise). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public MeridianClient build() {
            if (regions.isEmpty()) {
                throw new IllegalStateException("configure at least one region: builder().region(name, baseUrl)");
            }
            if (operationTimeout.compareTo(requestTimeout) < 0) {
                throw new IllegalStateException("operationTimeout " + operationTimeout + " is shorter than"
                        + " requestTimeout " + requestTimeout + ": a call could not wait for one answer");
            }
            return new MeridianClient(this);
        }

        private static Duration positive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
            return value;
        }
    }
}
