package io.meridian.router.internal;

import io.meridian.infra.model.Position;

/**
 * One validated client read. {@code preferredRegion} and {@code minPosition} are the optional headers (null when
 * absent); {@code rawPath} and {@code rawQuery} are the request's, as sent, for redirects.
 */
public record ReadCommand(String tenant, String key, String preferredRegion, Position minPosition, String rawPath,
                          String rawQuery) {
}
