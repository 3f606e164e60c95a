package io.meridian.router.internal;

import io.meridian.infra.model.Position;

/**
 * One validated client read. {@code preferredRegion} and {@code minPosition} are the optional headers (null when
 * absent); {@code rawPath} and {@code rawQuery} are the request's, as sent, for redirects. {@code readConcern} is the
 * {@code X-Meridian-Read-Concern} header (null when absent: this region's copy alone); {@code redirectIfPaused} is
 * {@code X-Meridian-If-Paused: redirect}.
 */
public record ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                          String rawQuery, ReadConcern readConcern, boolean redirectIfPaused) {

    /** A read of this region's copy alone (no read concern), served even when this region is paused. */
    public ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                       String rawQuery) {
        this(tenant, key, preferredRegion, minPosition, rawPath, rawQuery, null, false);
    }
}
