package io.meridian.router.internal;

import io.meridian.infra.model.Position;

/**
 * One validated client read. {@code preferredRegion} and {@code minPosition} are the optional headers (null when
 * absent); {@code rawPath} and {@code rawQuery} are the request's, as sent, for redirects. {@code readConcern} is the
 * {@code X-Meridian-Read-Concern} header (null when absent: this region's copy alone).
 */
public record ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                          String rawQuery, ReadConcern readConcern) {

    /** A read of this region's copy alone (no read concern). */
    public ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                       String rawQuery) {
        this(tenant, key, preferredRegion, minPosition, rawPath, rawQuery, null);
    }
}
