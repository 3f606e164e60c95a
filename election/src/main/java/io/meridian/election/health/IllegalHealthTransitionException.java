package io.meridian.election.health;

import java.util.Collections;
import java.util.Set;

/**
 * A region-health transition that {@link RegionHealth#ALLOWED_TRANSITIONS} does not allow. Carries both states and
 * the valid targets, so the message says what would have been legal. A programming error, never retriable.
 */
public final class IllegalHealthTransitionException extends IllegalStateException {
    private final RegionHealth from;
    private final RegionHealth to;
    private final Set<RegionHealth> validTargets;

    IllegalHealthTransitionException(RegionHealth from, RegionHealth to, Set<RegionHealth> validTargets) {
        super("illegal region-health transition " + from.wireName() + " -> " + to.wireName()
                + "; valid targets from " + from.wireName() + ": "
                + validTargets.stream().map(RegionHealth::wireName).toList());
        this.from = from;
        this.to = to;
        this.validTargets = Collections.unmodifiableSet(validTargets);
    }

    public RegionHealth from() {
        return from;
    }

    public RegionHealth to() {
        return to;
    }

    public Set<RegionHealth> validTargets() {
        return validTargets;
    }
}
