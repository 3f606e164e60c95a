package io.meridian.election.health;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The health of a region as one node's {@link RegionHealthMonitor} sees it.
 *
 * <pre>
 *                 misses &gt;= misses-to-suspect
 *   +---------+ ------------------------------&gt; +---------+
 *   | HEALTHY |                                  | SUSPECT | &lt;-- start: a region never heard from
 *   +---------+ &lt;------------------------------ +---------+
 *      ^         successes &gt;= successes-to-healthy   |
 *      |                                             | misses &gt;= misses-to-unhealthy
 *      |                                             | (and, if never heard from, the startup grace is over)
 *      |                                             v
 *      |   successes &gt;= successes-to-healthy    +-----------+
 *      +------------------------------------- | UNHEALTHY | -- windows back off while it stays down
 *                (recovery, directly)          +-----------+
 * </pre>
 *
 * <p>Recovery goes straight from {@code UNHEALTHY} to {@code HEALTHY}, after {@code successes-to-healthy}
 * consecutive evaluation windows with heartbeats. It does not pass through {@code SUSPECT}: a region that sends an
 * isolated heartbeat now and then must stay {@code UNHEALTHY} (and keep its "unhealthy since" time, which the
 * failover leader-timeout is measured from) rather than flap to {@code SUSPECT} and restart the count.
 *
 * <p>Transitions are kept in an explicit map, not derived from ordinals, so reordering the constants changes
 * nothing. The wire names are lower case.
 */
public enum RegionHealth {
    /** Heartbeats arrive; the region may be chosen as a new primary. */
    HEALTHY("healthy"),
    /** Some heartbeats were missed, or the region was never heard from: neither a failover target nor failed over. */
    SUSPECT("suspect"),
    /** Heartbeats have been missing long enough that the region's tenants may be failed over. */
    UNHEALTHY("unhealthy");

    /** Every allowed transition. A state maps to the states it may move to; staying put is not a transition. */
    public static final Map<RegionHealth, Set<RegionHealth>> ALLOWED_TRANSITIONS;

    static {
        EnumMap<RegionHealth, EnumSet<RegionHealth>> allowed = new EnumMap<>(RegionHealth.class);
        allowed.put(HEALTHY, EnumSet.of(SUSPECT));
        allowed.put(SUSPECT, EnumSet.of(HEALTHY, UNHEALTHY));
        allowed.put(UNHEALTHY, EnumSet.of(HEALTHY));
        EnumMap<RegionHealth, Set<RegionHealth>> view = new EnumMap<>(RegionHealth.class);
        allowed.forEach((from, to) -> view.put(from, Collections.unmodifiableSet(to)));
        ALLOWED_TRANSITIONS = Collections.unmodifiableMap(view);
    }

    private final String wireName;

    RegionHealth(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static RegionHealth fromWire(String value) {
        for (RegionHealth health : values()) {
            if (health.wireName.equals(value)) {
                return health;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a valid RegionHealth; expected one of: "
                + Arrays.stream(values()).map(RegionHealth::wireName).collect(Collectors.joining(", ")));
    }

    /** The states this one may move to. */
    public Set<RegionHealth> validTargets() {
        return ALLOWED_TRANSITIONS.get(this);
    }

    public boolean canTransitionTo(RegionHealth target) {
        return validTargets().contains(target);
    }

    /**
     * The guard: returns {@code target} if this state may move to it, else throws
     * {@link IllegalTransitionException} listing the valid targets.
     */
    public RegionHealth transitionTo(RegionHealth target) {
        Objects.requireNonNull(target, "target");
        if (!canTransitionTo(target)) {
            throw new IllegalTransitionException(this, target, validTargets());
        }
        return target;
    }

    /**
     * A region-health transition that {@link #ALLOWED_TRANSITIONS} does not allow. Carries both states and the valid
     * targets, so the message says what would have been legal. A programming error, never retriable.
     */
    public static final class IllegalTransitionException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final RegionHealth from;
        private final RegionHealth to;
        private final Set<RegionHealth> validTargets;

        IllegalTransitionException(RegionHealth from, RegionHealth to, Set<RegionHealth> validTargets) {
            super("illegal region-health transition " + from.wireName() + " -> " + to.wireName()
                    + "; valid targets from " + from.wireName() + ": "
                    + validTargets.stream().map(RegionHealth::wireName).toList());
            this.from = from;
            this.to = to;
            this.validTargets = java.util.Collections.unmodifiableSet(validTargets);
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
}
