package io.meridian.router.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * Every error code the HTTP API answers with, its status, and whether retrying the same request later can succeed
 * (those answers carry {@code Retry-After}): every 503, and the 409s of a migration refused for a condition that
 * passes by itself. Codes are part of the API: never rename one. The migration codes are those of
 * {@link io.meridian.migration.MigrationException#code()}, with the same status and retriability.
 */
public enum ErrorCode {
    INVALID_TENANT(400),
    INVALID_KEY(400),
    INVALID_REGION(400),
    NOT_A_REPLICA(400),
    INVALID_POSITION(400),
    INVALID_IDEMPOTENCY_KEY(400),
    INVALID_IF_MATCH(400),
    MALFORMED_JSON(400),
    INVALID_DOCUMENT(400),
    INVALID_PLACEMENT(400),
    INVALID_PREFERRED_PRIMARY(400),
    INVALID_FAILOVER(400),
    UNKNOWN_REGION(400),
    INVALID_TARGET(400),
    INVALID_MIGRATION(400),
    SAME_REGION(400),
    INVALID_WRITE_CONCERN(400),
    INVALID_READ_CONCERN(400),
    INVALID_PAUSE(400),
    INVALID_BULK(400),
    DUPLICATE_TENANT(400),
    INVALID_PAGE(400),
    /** A {@code meridian.ingest} record that is not a write request (not an object of its fields, a bad op). */
    INVALID_INGEST_REQUEST(400),
    /** A {@code POST /admin/api-keys} body that is not {@code {"name","tenants"[,"createdBy"]}}. */
    INVALID_API_KEY_REQUEST(400),
    /** An API key name that is missing or not {@code [a-z0-9][a-z0-9._-]{0,62}}. */
    INVALID_API_KEY_NAME(400),
    /** An API key's tenants: none, not tenant ids, a tenant twice, {@code *} with others, too many. */
    INVALID_API_KEY_TENANTS(400),
    UNAUTHORIZED(401),
    /** A read-only admin token (admin.read.token) used for an admin request other than GET. */
    READ_ONLY_TOKEN(403),
    /** A data API key (data.auth.enabled) that does not grant the request's tenant. */
    TENANT_NOT_ALLOWED(403),
    TENANT_NOT_FOUND(404),
    DOCUMENT_NOT_FOUND(404),
    NOT_FOUND(404),
    MIGRATION_NOT_FOUND(404),
    REGION_NOT_FOUND(404),
    /** No API key created through the admin API has this name. */
    API_KEY_NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    PLACEMENT_CHANGED(409),
    WRITE_CONFLICT(409),
    INHIBITED(409),
    MIGRATION_IN_PROGRESS(409, true),
    TARGET_UNHEALTHY(409, true),
    TARGET_LAGGING(409, true),
    ALREADY_SWITCHED(409),
    REPLICA_NOT_BACKFILLED(409),
    TARGET_SYNCING(409, true),
    NOT_SYNCING(409),
    REGION_HOLDS_NO_TENANTS(409),
    REGION_IS_PRIMARY(409),
    SYNC_NOT_FOUND(404),
    TARGET_NEEDS_RESEED(409),
    TARGET_PAUSED(409),
    REGION_HAS_PRIMARIES(409),
    FAILBACK_NOT_PENDING(409),
    /** An API key of this name exists already (created through the admin API, or a line of data.api.keys.file). */
    API_KEY_EXISTS(409),
    /** A revocation of a key of data.api.keys.file: remove its line instead. */
    API_KEY_IN_FILE(409),
    PRECONDITION_FAILED(412),
    BODY_TOO_LARGE(413),
    DOCUMENT_TOO_LARGE(413),
    TOO_MANY_TENANTS(413),
    IDEMPOTENCY_KEY_REUSED(422),
    /** A migration refused because its source or target region is at {@code migration.max.per.region}. */
    TOO_MANY_MIGRATIONS(429, true),
    /** Over a rate limit (rate.limit.*): retriable, with Retry-After until the limiter has a token again. */
    RATE_LIMITED(429, true),
    WRITE_CONCERN_UNSATISFIABLE(422),
    READ_CONCERN_UNSATISFIABLE(422),
    INTERNAL(500),
    WRITES_PAUSED(503),
    APPLY_TIMEOUT(503),
    /** Refused before anything was written: the applier is further behind on the tenant's partition than it may be. */
    APPLIER_BEHIND(503),
    KAFKA_UNAVAILABLE(503),
    POSITION_NOT_REACHED(503),
    NOT_READY(503),
    COORDINATION_LOST(503),
    NO_CONTROLLER(503),
    CONTROLLER_UNREACHABLE(503),
    MIGRATIONS_UNAVAILABLE(503),
    WRITE_CONCERN_UNAVAILABLE(503),
    WRITE_CONCERN_TIMEOUT(503),
    READ_CONCERN_UNAVAILABLE(503),
    PARTITION_MOVING(503),
    OWNER_UNREACHABLE(503),
    /** An ingest request's write could not reach the tenant's primary region (another region) over HTTP. */
    PRIMARY_UNREACHABLE(503);

    private final int status;
    private final boolean retriable;

    ErrorCode(int status) {
        this(status, status == 503);
    }

    ErrorCode(int status, boolean retriable) {
        this.status = status;
        this.retriable = retriable;
    }

    public int status() {
        return status;
    }

    /** The code as it appears in the body: {@code tenant_not_found}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the same request can succeed later, unchanged; the answer then says when with Retry-After. Every 503
     * is; so are the 409s of a migration refused for a condition that passes by itself (target unhealthy or lagging,
     * another migration in progress).
     */
    public boolean retriable() {
        return retriable;
    }

    /** The code whose {@link #wireName()} is {@code wireName}, if any. */
    public static Optional<ErrorCode> fromWire(String wireName) {
        for (ErrorCode code : values()) {
            if (code.wireName().equals(wireName)) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
