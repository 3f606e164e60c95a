package io.meridian.client;

import java.util.Optional;

/**
 * The answer to an accepted write ({@code 201} to a put, {@code 200} to a delete): accepted by Kafka and by the
 * applier of the region that took it, hence by every region. Immutable.
 *
 * @param position   the write's position in the WAL: its version ({@code If-Match}) and consistency token
 * @param epoch      the placement epoch the write was accepted under
 * @param region     the region that accepted it (the tenant's primary)
 * @param superseded multi-primary {@code lww}/{@code merge}: the write lost its conflict, the document kept another
 *                   value ({@link #current()})
 * @param current    with {@code superseded}: the version the document has instead
 */
public record WriteResult(String tenant, String key, Position position, long epoch, String region,
                          boolean superseded, Optional<String> current) {
}
