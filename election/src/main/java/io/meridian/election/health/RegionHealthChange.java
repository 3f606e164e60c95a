package io.meridian.election.health;

import io.meridian.infra.model.Names;
import java.util.Objects;

/**
 * One real change of a region's health, as {@link RegionHealthMonitor#tick} reports it. {@code atMillis} is the end
 * of the evaluation window that decided it (not the time of the tick that noticed), so the result does not depend on
 * how often the monitor is ticked. Immutable; the constructor enforces {@link RegionHealth}'s transitions.
 *
 * @param consecutiveMisses missed evaluation windows in a row when the change was decided (0 on recovery)
 */
public record RegionHealthChange(String region, RegionHealth from, RegionHealth to, long atMillis, String reason,
                                 int consecutiveMisses) {

    public RegionHealthChange {
        check(region, from, to, reason, consecutiveMisses);
    }

    /** The rules of a change, also for {@link RegionHealthEvent}, which carries one. */
    static void check(String region, RegionHealth from, RegionHealth to, String reason, int consecutiveMisses) {
        Names.requireRegion(region);
        Objects.requireNonNull(from, "from");
        from.transitionTo(Objects.requireNonNull(to, "to"));
        Objects.requireNonNull(reason, "reason");
        if (consecutiveMisses < 0) {
            throw new IllegalArgumentException("consecutiveMisses must not be negative, got " + consecutiveMisses);
        }
    }
}
