package io.meridian.router.internal;

import io.meridian.infra.model.Position;

/**
 * One validated client read. {@code preferredRegion} and {@code minPosition} are the optional headers (null when
 * absent); {@code rawPath} and {@code rawQuery} are the request's, as sent, for redirects; {@code redirectIfPaused}
 * is {@code X-Meridian-If-Paused: redirect}.
 */
public record ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                          String rawQuery, boolean redirectIfPaused) {

    public ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                       String rawQuery) {
        this(tenant, key, preferredRegion, minPosition, rawPath, rawQuery, false);
    }
}
