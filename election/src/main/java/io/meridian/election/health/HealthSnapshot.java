package io.meridian.election.health;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every configured region's health at one instant, as a {@link RegionHealthMonitor} saw it. Immutable and therefore
 * safe to hand to other threads (the HTTP API, the failover planner).
 *
 * @param atMillis the time the snapshot describes (the monitor's latest observed time)
 * @param regions  region → status, sorted by region name
 */
public record HealthSnapshot(long atMillis, Map<String, RegionStatus> regions) {

    public HealthSnapshot {
        SortedMap<String, RegionStatus> sorted = new TreeMap<>();
        regions.forEach((name, status) -> {
            if (!name.equals(status.region())) {
                throw new IllegalArgumentException("snapshot key '" + name + "' holds the status of '"
                        + status.region() + "'");
            }
            sorted.put(name, status);
        });
        regions = Collections.unmodifiableSortedMap(sorted);
    }

    public static HealthSnapshot of(long atMillis, Collection<RegionStatus> statuses) {
        SortedMap<String, RegionStatus> byName = new TreeMap<>();
        for (RegionStatus status : statuses) {
            if (byName.put(status.region(), status) != null) {
                throw new IllegalArgumentException("region '" + status.region() + "' appears twice in the snapshot");
            }
        }
        return new HealthSnapshot(atMillis, byName);
    }

    public Optional<RegionStatus> region(String region) {
        return Optional.ofNullable(regions.get(region));
    }

    public SortedSet<String> regionNames() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(regions.keySet()));
    }

    public boolean knows(String region) {
        return regions.containsKey(region);
    }
}
