package io.meridian.router.internal;

import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.RawJson;

/**
 * One validated client write: a put of {@code value}, or a delete when {@code value} is null. {@code generatedId}
 * tells a write id the router made up (no Idempotency-Key) from the client's. {@code rawPath} and {@code rawQuery}
 * (may be null) are the request's, as sent, for redirects. {@code writeConcern} is the request's
 * {@code X-Meridian-Write-Concern}, or null for the tenant's default. {@code ifMatch} is the version the client
 * requires ({@code If-Match}), or {@link WalRecord#NO_VERSION}.
 */
public record WriteCommand(String tenant, String key, RawJson value, String writeId, boolean generatedId,
                           String rawPath, String rawQuery, WriteConcern writeConcern, String ifMatch) {

    public WriteCommand {
        ifMatch = ifMatch == null ? WalRecord.NO_VERSION : ifMatch;
    }

    /** A write with the tenant's default write concern and no If-Match. */
    public WriteCommand(String tenant, String key, RawJson value, String writeId, boolean generatedId,
                        String rawPath, String rawQuery) {
        this(tenant, key, value, writeId, generatedId, rawPath, rawQuery, null, WalRecord.NO_VERSION);
    }

    public boolean isDelete() {
        return value == null;
    }

    /** {@code put} or {@code delete}, for logs and meters. */
    public String op() {
        return isDelete() ? "delete" : "put";
    }
}
