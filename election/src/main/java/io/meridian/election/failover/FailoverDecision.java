package io.meridian.election.failover;

import io.meridian.election.health.RegionHealth;
import io.meridian.infra.model.Names;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The answer to "should this region be failed over automatically now?": a {@link Proceed} with the plan, or a
 * {@link Refused} listing every condition that is not met. Immutable.
 */
public sealed interface FailoverDecision {

    String region();

    /** The plan, if the region is to be failed over. */
    Optional<FailoverPlan> plan();

    /** Why, in a sentence an operator can act on. */
    String why();

    /** Every condition holds: fail the region over with {@link #plan()}. */
    record Proceed(FailoverPlan failover, String why) implements FailoverDecision {
        public Proceed {
            Objects.requireNonNull(failover, "failover");
            Objects.requireNonNull(why, "why");
        }

        @Override
        public String region() {
            return failover.region();
        }

        @Override
        public Optional<FailoverPlan> plan() {
            return Optional.of(failover);
        }
    }

    /** At least one condition does not hold; {@code refusals} lists all that do not, in a fixed order. */
    record Refused(String region, List<Refusal> refusals) implements FailoverDecision {
        public Refused {
            Names.requireRegion(region);
            refusals = List.copyOf(refusals);
            if (refusals.isEmpty()) {
                throw new IllegalArgumentException("a refusal needs at least one reason");
            }
        }

        @Override
        public Optional<FailoverPlan> plan() {
            return Optional.empty();
        }

        @Override
        public String why() {
            return "not failing over '" + region + "': "
                    + refusals.stream().map(Refusal::why).collect(Collectors.joining("; "));
        }

        /** The first refusal of the given type, if it is among the reasons. */
        public <R extends Refusal> Optional<R> refusal(Class<R> type) {
            return refusals.stream().filter(type::isInstance).map(type::cast).findFirst();
        }
    }

    /** One condition of automatic failover that does not hold. */
    sealed interface Refusal {
        String why();
    }

    /** The region is not unhealthy at all. */
    record NotUnhealthy(RegionHealth state, long sinceMillis) implements Refusal {
        public NotUnhealthy {
            Objects.requireNonNull(state, "state");
            if (state == RegionHealth.UNHEALTHY) {
                throw new IllegalArgumentException("state must not be unhealthy");
            }
        }

        @Override
        public String why() {
            return "it is " + state.wireName() + " (since " + sinceMillis + "), not unhealthy";
        }
    }

    /** Unhealthy, but not yet for the leader-timeout. */
    record NotUnhealthyLongEnough(long unhealthySinceMillis, long eligibleAtMillis) implements Refusal {
        @Override
        public String why() {
            return "unhealthy since " + unhealthySinceMillis + ", not yet for " + FailoverPolicy.LEADER_TIMEOUT_CONFIG
                    + " (" + (eligibleAtMillis - unhealthySinceMillis) + " ms): eligible at " + eligibleAtMillis;
        }
    }

    /**
     * Unhealthy, but heard from {@code lastHeartbeatAgeMillis} ago, within its evaluation window or in a window it
     * counted as a success: it is recovering (a region whose nodes were still starting when the startup grace ran
     * out, or one back from a partition). It turns healthy after {@code health.successes.to.healthy} windows, or is
     * failed over once its heartbeats stop again.
     */
    record Recovering(long lastHeartbeatAgeMillis) implements Refusal {
        @Override
        public String why() {
            return "heard from " + lastHeartbeatAgeMillis + " ms ago: recovering";
        }
    }

    /** Too few other regions suspect it: this controller may be the one cut off. */
    record NoQuorum(Set<String> observers, int required, int otherRegions) implements Refusal {
        public NoQuorum {
            observers = Collections.unmodifiableSortedSet(new TreeSet<>(observers));
        }

        @Override
        public String why() {
            return "suspected by " + observers.size() + " other region(s) " + observers + ", " + required
                    + " of " + otherRegions + " required (" + FailoverPolicy.QUORUM_CONFIG + ")";
        }
    }

    /** It was failed over recently. */
    record Inhibited(long untilMillis) implements Refusal {
        @Override
        public String why() {
            return "inside its inhibit window until " + untilMillis + " (" + FailoverPolicy.INHIBIT_WINDOW_CONFIG + ")";
        }
    }

    /** No tenant has its primary there: nothing to move. */
    record NoTenantsToMove() implements Refusal {
        @Override
        public String why() {
            return "no tenant has its primary there";
        }
    }

    /**
     * None of the region's tenants has a healthy replica to take over: failing over would move nothing (and open an
     * inhibit window that would hold back the failover once a replica is healthy), so wait.
     */
    record NoHealthyReplica(int tenants) implements Refusal {
        @Override
        public String why() {
            return "none of its " + tenants + " tenant(s) has a healthy replica to take over yet";
        }
    }
}
