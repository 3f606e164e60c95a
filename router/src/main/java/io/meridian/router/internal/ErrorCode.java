package io.meridian.router.internal;

import java.util.Locale;

/**
 * Every error code the HTTP API answers with, its status, and whether retrying the same request later can succeed
 * (those answers carry {@code Retry-After}). Codes are part of the API: never rename one.
 */
public enum ErrorCode {
    INVALID_TENANT(400),
    INVALID_KEY(400),
    INVALID_REGION(400),
    NOT_A_REPLICA(400),
    INVALID_POSITION(400),
    INVALID_IDEMPOTENCY_KEY(400),
    MALFORMED_JSON(400),
    INVALID_DOCUMENT(400),
    INVALID_PLACEMENT(400),
    INVALID_FAILOVER(400),
    UNKNOWN_REGION(400),
    INVALID_TARGET(400),
    UNAUTHORIZED(401),
    TENANT_NOT_FOUND(404),
    DOCUMENT_NOT_FOUND(404),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    PLACEMENT_CHANGED(409),
    WRITE_IN_PROGRESS(409),
    INHIBITED(409),
    BODY_TOO_LARGE(413),
    INTERNAL(500),
    WRITES_PAUSED(503),
    APPLY_TIMEOUT(503),
    KAFKA_UNAVAILABLE(503),
    POSITION_NOT_REACHED(503),
    NOT_READY(503),
    COORDINATION_LOST(503),
    NO_CONTROLLER(503),
    CONTROLLER_UNREACHABLE(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The code as it appears in the body: {@code tenant_not_found}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** 503s are retriable: the same request can succeed later, and the answer says when with Retry-After. */
    public boolean retriable() {
        return status == 503;
    }
}
