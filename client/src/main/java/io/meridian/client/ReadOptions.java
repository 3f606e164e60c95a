package io.meridian.client;

import java.util.Objects;
import java.util.Optional;

/**
 * Options of one read. Immutable; {@link #none()} for none.
 *
 * @param region          pin the read to this configured region: it goes to one of the region's nodes (drawn at
 *                        random among those that answered recently; the region's other nodes when one does not
 *                        answer, never another region's), and a {@code 307} (the region holds no copy of the tenant)
 *                        is not followed but ends the call as a {@link MeridianException} with status 307. A region
 *                        behind the position waited for is waited on (its {@code 503 position_not_reached} is retried
 *                        there, not sent to the primary). For checking what one region holds; empty: the client's
 *                        home region, following redirects
 * @param minPosition     the position the serving region must have applied ({@code X-Meridian-Min-Position}) instead
 *                        of the session's; empty: the session's position of the tenant's partition, if any
 * @param attemptListener told of this call's every request, after the client's own listener
 */
public record ReadOptions(Optional<String> region, Optional<Position> minPosition,
                          Optional<AttemptListener> attemptListener) {
    private static final ReadOptions NONE = new ReadOptions(Optional.empty(), Optional.empty(), Optional.empty());

    public static ReadOptions none() {
        return NONE;
    }

    /** Read from {@code region}'s nodes only, without following redirects (see {@link #region()}). */
    public ReadOptions pinnedTo(String region) {
        return new ReadOptions(Optional.of(Objects.requireNonNull(region, "region")), minPosition, attemptListener);
    }

    public ReadOptions withMinPosition(Position position) {
        return new ReadOptions(region, Optional.of(Objects.requireNonNull(position, "position")), attemptListener);
    }

    public ReadOptions withAttemptListener(AttemptListener listener) {
        return new ReadOptions(region, minPosition, Optional.of(Objects.requireNonNull(listener, "listener")));
    }
}
