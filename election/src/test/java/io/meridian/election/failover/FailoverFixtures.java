package io.meridian.election.failover;

import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/** Builds health snapshots and placements for planner tests, without a monitor. */
final class FailoverFixtures {
    static final long NOW = 10_000_000L;

    private FailoverFixtures() {
    }

    static Placement placement(String tenant, String primary, String... replicas) {
        return new Placement(tenant, primary, List.of(replicas), 4, WriteState.ACTIVE, ConflictStrategy.LWW,
                ReplicationMode.SINGLE_PRIMARY);
    }

    static Health health() {
        return new Health();
    }

    /** A snapshot under construction; each region is HEALTHY since 0 with no offsets unless told otherwise. */
    static final class Health {
        private final Map<String, RegionStatus> regions = new TreeMap<>();

        Health region(String region, RegionHealth state, long sinceMillis, Map<Integer, Long> offsets,
                      Map<String, Set<String>> suspectedBy) {
            // An unhealthy region was last heard from a minute ago; the others, a moment ago.
            OptionalLong heardAgo = OptionalLong.of(state == RegionHealth.UNHEALTHY ? 60_000 : 100);
            regions.put(region, new RegionStatus(region, state, sinceMillis, false, heardAgo, 0, 0, 1_000,
                    NOW + 1_000, Set.of(region + "-1"), offsets, suspectedBy));
            return this;
        }

        /** Healthy nodes, but the region skipped WAL records deleted by retention. */
        Health needsReseed(String region, Map<Integer, Long> offsets) {
            regions.put(region, new RegionStatus(region, RegionHealth.HEALTHY, 0, false, OptionalLong.of(100), 0, 0,
                    1_000, NOW + 1_000, Set.of(region + "-1"), offsets, Map.of(), true));
            return this;
        }

        /** Healthy nodes, but the operator paused the region's replication. */
        Health paused(String region, Map<Integer, Long> offsets) {
            regions.put(region, new RegionStatus(region, RegionHealth.HEALTHY, 0, false, OptionalLong.of(100), 0, 0,
                    1_000, NOW + 1_000, Set.of(region + "-1"), offsets, Map.of(), false, true));
            return this;
        }

        Health healthy(String region, Map<Integer, Long> offsets) {
            return region(region, RegionHealth.HEALTHY, 0, offsets, Map.of());
        }

        Health state(String region, RegionHealth state) {
            return region(region, state, 0, Map.of(0, 1_000_000L, 1, 1_000_000L), Map.of());
        }

        /** Unhealthy since {@code sinceMillis}, suspected by one node in each of {@code observers}. */
        Health unhealthy(String region, long sinceMillis, String... observers) {
            Map<String, Set<String>> by = new TreeMap<>();
            for (String observer : observers) {
                by.put(observer, Set.of(observer + "-1"));
            }
            return region(region, RegionHealth.UNHEALTHY, sinceMillis, Map.of(), by);
        }

        /**
         * Unhealthy since {@code sinceMillis} and suspected as {@link #unhealthy}; last heard from {@code heardAgo}
         * ms ago (the evaluation window is 1 s), in {@code successes} consecutive windows.
         */
        Health lastHeard(String region, long sinceMillis, long heardAgo, int successes, String... observers) {
            unhealthy(region, sinceMillis, observers);
            RegionStatus down = regions.get(region);
            regions.put(region, new RegionStatus(region, RegionHealth.UNHEALTHY, sinceMillis, false,
                    OptionalLong.of(heardAgo), successes == 0 ? 3 : 0, successes, 1_000, NOW + 1_000, down.nodes(),
                    down.appliedOffsets(), down.suspectedBy()));
            return this;
        }

        HealthSnapshot build() {
            return new HealthSnapshot(NOW, regions);
        }
    }
}
