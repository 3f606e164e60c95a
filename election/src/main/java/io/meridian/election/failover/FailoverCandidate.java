package io.meridian.election.failover;

import io.meridian.election.health.RegionHealth;
import io.meridian.infra.model.Names;
import io.meridian.infra.model.Position;
import java.util.Objects;
import java.util.Optional;

/**
 * One replica region considered as a tenant's new primary, with everything the choice looked at and why it was or
 * was not chosen. Immutable.
 *
 * @param region        the replica region
 * @param health        its health; empty if the health monitor does not know the region
 * @param partition     the tenant's WAL partition
 * @param appliedOffset the highest offset any node of the region applied in that partition, or
 *                      {@link #NO_POSITION} if none reported one (ranks below every real offset)
 * @param priority      the region's failover priority
 * @param chosen        whether it became the new primary
 * @param reason        why it was or was not chosen
 */
public record FailoverCandidate(String region, Optional<RegionHealth> health, int partition, long appliedOffset, int priority,
                        boolean chosen, String reason) {

    /** The applied offset of a region that has reported none for the partition. */
    public static final long NO_POSITION = -1L;

    public FailoverCandidate {
        Names.requireRegion(region);
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(reason, "reason");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative, got " + partition);
        }
        if (appliedOffset < NO_POSITION) {
            throw new IllegalArgumentException("appliedOffset must be " + NO_POSITION + " (none) or an offset, got "
                    + appliedOffset);
        }
    }

    public boolean isHealthy() {
        return health.filter(h -> h == RegionHealth.HEALTHY).isPresent();
    }

    /** The applied position in the tenant's partition, if the region reported one. */
    public Optional<Position> position() {
        return appliedOffset == NO_POSITION ? Optional.empty() : Optional.of(new Position(partition, appliedOffset));
    }

    FailoverCandidate asChosen(String why) {
        return new FailoverCandidate(region, health, partition, appliedOffset, priority, true, why);
    }

    FailoverCandidate notChosen(String why) {
        return new FailoverCandidate(region, health, partition, appliedOffset, priority, false, why);
    }
}
