package io.meridian.client.internal;

import java.util.Locale;

/**
 * The API's error codes the client acts on by name, with the status the API answers them with. Named here once;
 * the node module's tests check each against the router's {@code ErrorCode}, so a renamed code cannot go unnoticed.
 */
public enum KnownCode {
    /** 409: followed to the new primary named in the details. */
    PLACEMENT_CHANGED(409),
    /** 412: {@link io.meridian.client.ConflictException}. */
    PRECONDITION_FAILED(412),
    /** 409: {@link io.meridian.client.ConflictException}. */
    WRITE_CONFLICT(409),
    /** 404: {@link io.meridian.client.TenantNotFoundException}. */
    TENANT_NOT_FOUND(404),
    /** 404 to a read: no document, an empty answer. */
    DOCUMENT_NOT_FOUND(404),
    /** 503 to a read: retried at the primary named in the details. */
    POSITION_NOT_REACHED(503),
    // 503s after which a write was certainly not produced (refused before it was): it has not been applied.
    WRITES_PAUSED(503),
    COORDINATION_LOST(503),
    NOT_READY(503),
    WRITE_CONCERN_UNAVAILABLE(503),
    NO_CONTROLLER(503),
    APPLIER_BEHIND(503);

    private final int status;

    KnownCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The code as the API writes it: {@code placement_changed}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean is(String code) {
        return wireName().equals(code);
    }
}
