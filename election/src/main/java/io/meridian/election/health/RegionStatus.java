package io.meridian.election.health;

import io.meridian.infra.model.Names;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One region in a {@link HealthSnapshot}. Immutable; collections are sorted copies.
 *
 * @param region                 the region
 * @param state                  its health
 * @param sinceMillis            when it entered {@code state} (the monitor's start for the initial state)
 * @param neverSeen              no node of the region has sent a heartbeat since the monitor started
 * @param lastHeartbeatAgeMillis how long ago the latest heartbeat of any of its nodes arrived; empty if never
 * @param consecutiveMisses      evaluation windows in a row without a heartbeat
 * @param consecutiveSuccesses   evaluation windows in a row with at least one heartbeat
 * @param evaluationWindowMillis the length of the current evaluation window (grows while the region is down)
 * @param nextEvaluationAtMillis when the current window closes
 * @param nodes                  every node of the region heard from since the monitor started
 * @param appliedOffsets         WAL partition → the highest applied offset any node of the region reported
 * @param suspectedBy            other region → its nodes whose recent heartbeat suspects this region
 * @param needsReseed            a node of the region reported that it skipped WAL records deleted by retention: the
 *                               region is no failover candidate and no migration target until re-seeded
 * @param paused                 the operator paused the region's replication ({@code meridian.regions}), or a node
 *                               of the region reported its applier paused: the region is no failover candidate and
 *                               no migration target until resumed
 */
public record RegionStatus(
        String region,
        RegionHealth state,
        long sinceMillis,
        boolean neverSeen,
        OptionalLong lastHeartbeatAgeMillis,
        int consecutiveMisses,
        int consecutiveSuccesses,
        long evaluationWindowMillis,
        long nextEvaluationAtMillis,
        Set<String> nodes,
        Map<Integer, Long> appliedOffsets,
        Map<String, Set<String>> suspectedBy,
        boolean needsReseed,
        boolean paused) {

    public RegionStatus(String region, RegionHealth state, long sinceMillis, boolean neverSeen,
                        OptionalLong lastHeartbeatAgeMillis, int consecutiveMisses, int consecutiveSuccesses,
                        long evaluationWindowMillis, long nextEvaluationAtMillis, Set<String> nodes,
                        Map<Integer, Long> appliedOffsets, Map<String, Set<String>> suspectedBy, boolean needsReseed) {
        this(region, state, sinceMillis, neverSeen, lastHeartbeatAgeMillis, consecutiveMisses, consecutiveSuccesses,
                evaluationWindowMillis, nextEvaluationAtMillis, nodes, appliedOffsets, suspectedBy, needsReseed, false);
    }

    public RegionStatus(String region, RegionHealth state, long sinceMillis, boolean neverSeen,
                        OptionalLong lastHeartbeatAgeMillis, int consecutiveMisses, int consecutiveSuccesses,
                        long evaluationWindowMillis, long nextEvaluationAtMillis, Set<String> nodes,
                        Map<Integer, Long> appliedOffsets, Map<String, Set<String>> suspectedBy) {
        this(region, state, sinceMillis, neverSeen, lastHeartbeatAgeMillis, consecutiveMisses, consecutiveSuccesses,
                evaluationWindowMillis, nextEvaluationAtMillis, nodes, appliedOffsets, suspectedBy, false);
    }

    public RegionStatus {
        Names.requireRegion(region);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastHeartbeatAgeMillis, "lastHeartbeatAgeMillis");
        nodes = Collections.unmodifiableSortedSet(new TreeSet<>(nodes));
        appliedOffsets = Collections.unmodifiableSortedMap(new TreeMap<>(appliedOffsets));
        SortedMap<String, Set<String>> by = new TreeMap<>();
        suspectedBy.forEach((observer, observerNodes) -> {
            if (observer.equals(region)) {
                throw new IllegalArgumentException("region '" + region + "' cannot be its own observer");
            }
            if (!observerNodes.isEmpty()) {
                by.put(Names.requireRegion(observer), Collections.unmodifiableSortedSet(new TreeSet<>(observerNodes)));
            }
        });
        suspectedBy = Collections.unmodifiableSortedMap(by);
    }

    /** This status, paused (or not). */
    public RegionStatus withPaused(boolean isPaused) {
        return isPaused == paused ? this : new RegionStatus(region, state, sinceMillis, neverSeen,
                lastHeartbeatAgeMillis, consecutiveMisses, consecutiveSuccesses, evaluationWindowMillis,
                nextEvaluationAtMillis, nodes, appliedOffsets, suspectedBy, needsReseed, isPaused);
    }

    /** The highest offset the region applied in WAL {@code partition}, if any of its nodes reported one. */
    public OptionalLong appliedOffset(int partition) {
        Long offset = appliedOffsets.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** The other regions with at least one node whose recent heartbeat suspects this region. */
    public SortedSet<String> suspectingRegions() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(suspectedBy.keySet()));
    }
}
