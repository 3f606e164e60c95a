package io.meridian.election.failover;

import io.meridian.infra.model.Names;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * When automatic failover may happen and how new primaries are ranked. Immutable and validated on construction.
 *
 * @param leaderTimeout how long a region must have been {@code UNHEALTHY} before it is failed over automatically
 * @param quorum        how many <em>other</em> regions must have at least one node whose recent heartbeat suspects
 *                      the region; empty means a majority of the other configured regions
 * @param inhibitWindow after a failover of a region, how long before that region may be failed over again
 *                      automatically (default 60 s; a manual failover needs {@code force} inside it)
 * @param priorities    region → priority, the second ranking key of a new primary (higher wins; absent = 0)
 */
public record FailoverPolicy(Duration leaderTimeout, OptionalInt quorum, Duration inhibitWindow,
                             Map<String, Integer> priorities) {

    public static final String LEADER_TIMEOUT_CONFIG = "failover.leader.timeout.ms";
    public static final String QUORUM_CONFIG = "failover.quorum";
    public static final String INHIBIT_WINDOW_CONFIG = "failover.inhibit.window.ms";
    public static final String PRIORITIES_CONFIG = "failover.region.priorities";

    public static final Duration DEFAULT_INHIBIT_WINDOW = Duration.ofSeconds(60);
    public static final int DEFAULT_PRIORITY = 0;

    public FailoverPolicy {
        Objects.requireNonNull(leaderTimeout, LEADER_TIMEOUT_CONFIG);
        Objects.requireNonNull(quorum, QUORUM_CONFIG);
        Objects.requireNonNull(inhibitWindow, INHIBIT_WINDOW_CONFIG);
        Objects.requireNonNull(priorities, PRIORITIES_CONFIG);
        if (leaderTimeout.isNegative()) {
            throw new IllegalArgumentException(LEADER_TIMEOUT_CONFIG + " must not be negative, got "
                    + leaderTimeout.toMillis());
        }
        if (quorum.isPresent() && quorum.getAsInt() < 1) {
            throw new IllegalArgumentException(QUORUM_CONFIG + " must be at least 1, got " + quorum.getAsInt());
        }
        if (inhibitWindow.isNegative()) {
            throw new IllegalArgumentException(INHIBIT_WINDOW_CONFIG + " must not be negative, got "
                    + inhibitWindow.toMillis());
        }
        TreeMap<String, Integer> sorted = new TreeMap<>();
        priorities.forEach((region, priority) -> sorted.put(Names.requireRegion(region),
                Objects.requireNonNull(priority, PRIORITIES_CONFIG + " of " + region)));
        priorities = Collections.unmodifiableSortedMap(sorted);
    }

    /** Majority quorum, a 60 s inhibit window, every region at priority 0. */
    public static FailoverPolicy defaults(Duration leaderTimeout) {
        return new FailoverPolicy(leaderTimeout, OptionalInt.empty(), DEFAULT_INHIBIT_WINDOW, Map.of());
    }

    public FailoverPolicy withQuorum(int newQuorum) {
        return new FailoverPolicy(leaderTimeout, OptionalInt.of(newQuorum), inhibitWindow, priorities);
    }

    public FailoverPolicy withInhibitWindow(Duration newInhibitWindow) {
        return new FailoverPolicy(leaderTimeout, quorum, newInhibitWindow, priorities);
    }

    public FailoverPolicy withPriorities(Map<String, Integer> newPriorities) {
        return new FailoverPolicy(leaderTimeout, quorum, inhibitWindow, newPriorities);
    }

    /**
     * How many other regions must suspect a region, out of {@code otherRegions}: the configured quorum, else a
     * strict majority ({@code otherRegions / 2 + 1}; with no other region that is 1, which can never be met).
     */
    public int requiredObservers(int otherRegions) {
        return quorum.orElse(otherRegions / 2 + 1);
    }

    public int priorityOf(String region) {
        return priorities.getOrDefault(region, DEFAULT_PRIORITY);
    }
}
