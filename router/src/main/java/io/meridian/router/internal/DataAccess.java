package io.meridian.router.internal;

import io.javalin.http.Context;
import io.meridian.router.RouterMetrics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may use the data API, and how fast: checked before a document request does anything (before it is forwarded
 * to the owning node, before its body is read).
 *
 * <p>Authentication ({@code data.auth.enabled}, off by default: then anyone may read and write any tenant, as
 * before): the request must carry {@code Authorization: Bearer <key>} with a key that grants the tenant ({@link DataKeys}:
 * created through the admin API, or a line of {@code data.api.keys.file}), or a full admin token (operators); none or
 * an unknown one: {@code 401 unauthorized}; a key that does not grant the tenant: {@code 403 tenant_not_allowed}.
 * Every refusal is counted ({@link RouterMetrics#AUTH_REJECTIONS}).
 *
 * <p>Rate limits (each off while its rate is 0): per tenant ({@code rate.limit.tenant.per.second}) and per client
 * ({@code rate.limit.client.per.second}; the client is its API key's name, else its address), token buckets on this
 * node: over the limit, {@code 429 rate_limited} with {@code Retry-After} (whole seconds until a token is back) and
 * nothing done. Limits are per node: a request a node forwards to the owner of the tenant's partition counts on both.
 * Thread-safe.
 */
public final class DataAccess {
    private final boolean authEnabled;
    private final DataKeys keys;
    private final AdminAuth admin;
    private final RateLimiter perTenant;
    private final RateLimiter perClient;
    private final RouterMetrics metrics;

    /**
     * @param keys      the API keys (none at all: only full admin tokens pass when authentication is on)
     * @param perTenant the tenants' limiter, or null (none)
     * @param perClient the clients' limiter, or null (none)
     */
    public DataAccess(boolean authEnabled, DataKeys keys, AdminAuth admin, RateLimiter perTenant,
                      RateLimiter perClient, RouterMetrics metrics) {
        this.authEnabled = authEnabled;
        this.keys = keys;
        this.admin = admin;
        this.perTenant = perTenant;
        this.perClient = perClient;
        this.metrics = metrics;
    }

    /** Whether {@code data.auth.enabled}: region reads then need a key too, and nodes send theirs. */
    public boolean authEnabled() {
        return authEnabled;
    }

    /** {@code handler}, run only once the request passed {@link #check}. */
    public HttpEndpoints.AsyncHandler protect(HttpEndpoints.AsyncHandler handler) {
        return ctx -> {
            check(ctx);
            return handler.handle(ctx);
        };
    }

    /** @throws ApiException {@code unauthorized}, {@code tenant_not_allowed} or {@code rate_limited} */
    void check(Context ctx) {
        String tenant = RequestParsing.tenant(ctx.pathParam("tenant"));
        String client = authorize(tenant, ctx.header(Headers.AUTHORIZATION)).orElseGet(ctx::ip);
        if (perTenant != null) {
            limit(perTenant.tryAcquire(tenant), "tenant", tenant, "the tenant " + tenant + " is over its request"
                    + " rate (rate.limit.tenant.per.second)");
        }
        if (perClient != null) {
            limit(perClient.tryAcquire(client), "client", tenant, "this client is over its request rate"
                    + " (rate.limit.client.per.second)");
        }
    }

    /** Authentication alone (no rate limit): region reads. */
    void authenticate(Context ctx) {
        authorize(RequestParsing.tenant(ctx.pathParam("tenant")), ctx.header(Headers.AUTHORIZATION));
    }

    /** The client's name when it sent a valid API key; empty when it sent none (authentication off) or a token. */
    private Optional<String> authorize(String tenant, String authorization) {
        if (!authEnabled) {
            return Optional.empty();
        }
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        if (bearer.isEmpty()) {
            metrics.authRejected("data", RouterMetrics.AuthRejection.MISSING);
            throw ApiException.of(ErrorCode.UNAUTHORIZED, "the data API needs 'Authorization: Bearer <API key>'"
                    + " (data.auth.enabled is on): ask an operator for a key of tenant " + tenant, tenant);
        }
        Optional<ApiKeys.Grant> grant = keys.grant(bearer);
        if (grant.isPresent()) {
            if (!grant.get().allows(tenant)) {
                metrics.authRejected("data", RouterMetrics.AuthRejection.TENANT_NOT_ALLOWED);
                throw ApiException.of(ErrorCode.TENANT_NOT_ALLOWED, "this API key ('" + grant.get().name()
                        + "') does not grant tenant " + tenant + "; nothing was done", tenant);
            }
            return Optional.of("key:" + grant.get().name());
        }
        try {
            if (admin.check(authorization) == AdminAuth.Role.FULL) {
                return Optional.empty();
            }
        } catch (ApiException e) {
            // Not an admin token either: answered below.
        }
        metrics.authRejected("data", RouterMetrics.AuthRejection.UNKNOWN);
        throw ApiException.of(ErrorCode.UNAUTHORIZED, "the API key is not known (revoked, or never created): send"
                + " a key that grants tenant " + tenant + " (meridianctl apikey create, or a line of"
                + " data.api.keys.file)", tenant);
    }

    private void limit(Duration wait, String scope, String tenant, String message) {
        if (wait.isZero()) {
            return;
        }
        metrics.rateLimited(scope);
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("scope", scope);
        details.put(ErrorResponses.RETRY_AFTER_DETAIL, seconds);
        throw ApiException.of(ErrorCode.RATE_LIMITED, message + ": retry after " + seconds + " s; nothing was done",
                tenant, details, null);
    }
}
