package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.api.ApiKeyLine;
import io.meridian.infra.model.ApiKeyRecord;
import io.meridian.router.ApiKeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data API keys through the admin API, behind {@link AdminAuth} (a read-only token may list, not change):
 * {@code POST /admin/api-keys} creates a key and shows it once, {@code GET /admin/api-keys} lists every key this node
 * knows (never a key, only a short prefix of its digest), {@code DELETE /admin/api-keys/{name}} revokes one.
 *
 * <p>Served by any node, not forwarded to the controller: a key changes no placement, so it goes straight to
 * {@code meridian.api-keys} ({@link ApiKeyStore}), which every node reads; the answer comes once this node has read
 * the change back, and other nodes read it within about a second. A name is unique among the keys of the topic and of
 * {@code data.api.keys.file}; a create or revoke first catches up with what every node published. Thread-safe.
 */
public final class ApiKeyApi {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyApi.class);
    public static final String KEYS_PATH = "/admin/api-keys";
    public static final String KEY_PATH = "/admin/api-keys/{name}";
    /** How long catching up may take, and then publishing and reading back. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Hex digits of a key's digest shown in lists: enough to tell keys apart, far too few to look one up. */
    static final int DIGEST_PREFIX_HEX = 8;
    private static final String EXAMPLE = "{\"name\": \"acme-app\", \"tenants\": [\"acme\", \"acme-eu\"]}";
    private static final List<String> FIELDS = List.of("name", "tenants", "createdBy");

    private final AdminAuth auth;
    private final DataKeys keys;
    private final ApiKeyStore store;
    private final String thisNode;
    private final int maxBodyBytes;
    private final Clock clock;

    public ApiKeyApi(AdminAuth auth, DataKeys keys, String thisNode, int maxBodyBytes, Clock clock) {
        this.auth = auth;
        this.keys = keys;
        this.store = keys.store();
        this.thisNode = thisNode;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, KEYS_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(list(ctx))));
        endpoints.add(HandlerType.POST, KEYS_PATH, auth.protect(this::create));
        endpoints.add(HandlerType.DELETE, KEY_PATH, auth.protect(this::revoke));
    }

    private Reply list(Context ctx) {
        Paging paging = Paging.parse(ctx, cursor -> !cursor.isBlank() && cursor.length() <= 200 && !cursor.contains(" "),
                "a key's name");
        List<Map<String, Object>> items = new ArrayList<>();
        for (DataKeys.Known known : keys.all()) {
            items.add(body(known.name(), known.digest(), known.tenants(), known.source(), known.record()));
        }
        return Reply.json(200, paging.page("apiKeys", items, item -> (String) item.get("name")));
    }

    private CompletableFuture<Reply> create(Context ctx) {
        JsonNode body = RequestParsing.jsonObject(HttpEndpoints.body(ctx, maxBodyBytes), FIELDS, EXAMPLE,
                message -> ApiException.of(ErrorCode.INVALID_API_KEY_REQUEST, message + "; nothing was created"));
        String name = name(body.get("name"));
        List<String> tenants = tenants(body.get("tenants"));
        JsonNode by = body.get("createdBy");
        if (by != null && !by.isNull() && (!by.isTextual() || by.asText().length() > ApiKeyRecord.MAX_CREATED_BY_LENGTH)) {
            throw ApiException.of(ErrorCode.INVALID_API_KEY_REQUEST, "'createdBy' must be a string of at most "
                    + ApiKeyRecord.MAX_CREATED_BY_LENGTH + " characters (who asks, e.g. 'alice@ops'); nothing was"
                    + " created");
        }
        String createdBy = by == null || by.isNull() || by.asText().isBlank() ? "address " + ctx.ip() : by.asText();
        refuseIfInFile(name, ErrorCode.API_KEY_EXISTS, "a line of data.api.keys.file names a key '" + name
                + "' already: choose another name; nothing was created");
        ApiKeyLine made = ApiKeyLine.create(tenants, name);
        String digest = ApiKeyLine.digest(made.key());
        ApiKeyRecord record = new ApiKeyRecord(name, digest, tenants, clock.millis(), createdBy, thisNode);
        return within(store.caughtUp(), "reading meridian.api-keys to its end before creating key " + name,
                "; nothing was created")
                .thenCompose(caughtUp -> {
                    if (store.byName(name).isPresent()) {
                        throw exists(name);
                    }
                    return within(store.publish(record), "publishing API key " + name + " to meridian.api-keys",
                            ": the key may or may not exist now (GET " + KEYS_PATH + " tells); retry with the same"
                                    + " name: a 409 api_key_exists then means it does (revoke it and create it again"
                                    + " to get a key you can see)");
                })
                // Two creates of one name on two nodes at once: the later record wins everywhere; the earlier asker
                // is told so instead of leaving with a key that works nowhere.
                .thenCompose(published -> within(store.caughtUp(), "reading back API key " + name, ""))
                .thenApply(readBack -> {
                    if (!store.byName(name).map(k -> k.digest().equals(digest)).orElse(false)) {
                        throw ApiException.of(ErrorCode.API_KEY_EXISTS, "another request created or revoked key '"
                                + name + "' at the same moment, and its change came later: the key made here does"
                                + " not work; list the keys and try again", null, Map.of("name", name), null);
                    }
                    LOG.info("api key created name={} tenants={} createdBy='{}'", name, tenants, createdBy);
                    Map<String, Object> answer = body(name, digest, record.tenants(), DataKeys.Source.ADMIN, record);
                    Map<String, Object> withKey = new LinkedHashMap<>();
                    withKey.put("name", name);
                    withKey.put("key", made.key());
                    withKey.putAll(answer);
                    return Reply.json(201, withKey, Map.of("Cache-Control", "no-store"));
                });
    }

    private CompletableFuture<Reply> revoke(Context ctx) {
        String name = ctx.pathParam("name");
        refuseIfInFile(name, ErrorCode.API_KEY_IN_FILE, "key '" + name + "' is a line of data.api.keys.file, not a"
                + " key of the admin API: remove its line from the file on every node to revoke it; nothing changed");
        try {
            ApiKeyRecord.requireName(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_API_KEY_NAME, e.getMessage() + "; nothing changed");
        }
        return within(store.caughtUp(), "reading meridian.api-keys to its end before revoking key " + name,
                "; nothing changed")
                .thenCompose(caughtUp -> {
                    ApiKeyRecord current = store.byName(name).orElseThrow(() -> ApiException.of(
                            ErrorCode.API_KEY_NOT_FOUND, "no API key is named '" + name + "' (GET " + KEYS_PATH
                                    + " lists them); nothing changed", null, Map.of("name", name), null));
                    return within(store.revoke(name), "publishing the revocation of API key " + name,
                            ": it may be revoked or not; retry (a 404 api_key_not_found then means it is)")
                            .thenApply(revoked -> {
                                LOG.info("api key revoked name={} tenants={} created by '{}'", name,
                                        current.tenants(), current.createdBy());
                                return new Reply(204, Map.of(), Reply.JSON, new byte[0]);
                            });
                });
    }

    private void refuseIfInFile(String name, ErrorCode code, String message) {
        if (keys.inFile(name)) {
            throw ApiException.of(code, message, null, Map.of("name", name, "source", DataKeys.Source.FILE.wireName()),
                    null);
        }
    }

    private static ApiException exists(String name) {
        return ApiException.of(ErrorCode.API_KEY_EXISTS, "an API key named '" + name + "' exists already: choose"
                + " another name, or revoke it first (DELETE " + KEYS_PATH + "/" + name + "); nothing was created",
                null, Map.of("name", name), null);
    }

    private static String name(JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw ApiException.of(ErrorCode.INVALID_API_KEY_NAME, "'name' is required, a string naming the key (for"
                    + " lists, logs and the per-client rate limit), e.g. " + EXAMPLE + "; nothing was created");
        }
        try {
            return ApiKeyRecord.requireName(node.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_API_KEY_NAME, e.getMessage() + "; nothing was created");
        }
    }

    private static List<String> tenants(JsonNode node) {
        if (node == null || !node.isArray()) {
            throw ApiException.of(ErrorCode.INVALID_API_KEY_TENANTS, "'tenants' is required, an array of the"
                    + " tenant ids the key may read and write (or [\"*\"]: every tenant), e.g. " + EXAMPLE
                    + "; nothing was created");
        }
        List<String> tenants = new ArrayList<>();
        for (JsonNode tenant : node) {
            if (!tenant.isTextual()) {
                throw ApiException.of(ErrorCode.INVALID_API_KEY_TENANTS, "'tenants' must hold strings (tenant ids),"
                        + " got " + tenant + "; nothing was created");
            }
            tenants.add(tenant.asText());
        }
        try {
            return ApiKeyRecord.requireTenants(tenants);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_API_KEY_TENANTS, e.getMessage() + "; nothing was created");
        }
    }

    /**
     * {@code {"name","source","tenants","digestPrefix","createdAt","createdBy","node"}}: the times and authors are null
     * for a key of the file.
     */
    private static Map<String, Object> body(String name, String digest, List<String> tenants, DataKeys.Source source,
                                            ApiKeyRecord record) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("source", source.wireName());
        body.put("tenants", tenants);
        body.put("digestPrefix", digest.substring(0, ApiKeyLine.DIGEST_PREFIX.length() + DIGEST_PREFIX_HEX));
        body.put("createdAt", record == null ? null : Instant.ofEpochMilli(record.createdAtMillis()).toString());
        body.put("createdBy", record == null ? null : record.createdBy());
        body.put("node", record == null ? null : record.node());
        return body;
    }

    /** {@code step}, failing with {@code kafka_unavailable} when Kafka refuses it or it takes over {@link #TIMEOUT}. */
    private static <T> CompletableFuture<T> within(CompletableFuture<T> step, String what, String suffix) {
        return step.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).handle((value, error) -> {
            if (error == null) {
                return value;
            }
            Throwable cause = ErrorResponses.unwrap(error);
            if (cause instanceof ApiException api) {
                throw api;
            }
            String how = cause instanceof TimeoutException ? "took over " + TIMEOUT.toMillis() + " ms"
                    : "failed (" + cause + ")";
            throw ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, what + " " + how + suffix, null, Map.of(), cause);
        });
    }
}
