package io.meridian.streams.internal;

import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.ReplicationLag.PartitionLag;
import io.meridian.infra.model.WalStats;
import io.meridian.streams.internal.MonitorEvent.HeadUpdate;
import io.meridian.streams.internal.MonitorEvent.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The lag computation, free of Kafka Streams: WAL heads, an offset → time index per partition, and each node's last
 * heartbeat in; {@link ReplicationLag} per region out. Not thread-safe (one stream thread owns it).
 *
 * <h2>Entries</h2>
 * A region's applied offset in a partition is the largest its nodes reported (each node reports the partitions it
 * owns; ownership moves, progress does not go back). Lag entries = head offset − applied offset, i.e. the records
 * from the first one not yet applied up to the head; with no applied offset, from the first offset the monitor read.
 *
 * <h2>Seconds</h2>
 * Lag seconds = time of the head record − time of the first record not yet applied. That time comes from a sparse
 * index of (offset, timestamp) samples: the WAL head processor samples the first record of every
 * {@code sampleInterval} of record time, so every record between two samples is younger than the earlier one by less
 * than the interval, and the earlier sample's time (the floor) is a lower bound that is at most one interval off: the
 * lag is over-estimated by less than the interval, never under-estimated. The index is bounded: above
 * {@code maxSamples} per partition it is thinned so that the spacing of the samples kept grows in proportion to their
 * age (ε = 1 % of the age, doubled until it fits), so the error stays about 1 % of the lag however old the first
 * record not applied is. The oldest sample is always kept.
 */
public final class LagCalculator {
    /** First relative spacing tried when the index of a partition is thinned. */
    static final double THINNING_EPSILON = 0.01;

    private final int maxSamples;
    private final int samplesAfterThinning;
    private final Changes changes;
    private final Map<Integer, WalHead> heads = new TreeMap<>();
    private final Map<Integer, TreeMap<Long, Long>> samples = new HashMap<>();
    private final Map<String, Heartbeat> nodes = new TreeMap<>();

    /** Tells the owner what changed, to persist it. */
    public interface Changes {
        Changes NONE = new Changes() {
        };

        default void headChanged(WalHead head) {
        }

        default void sampleAdded(int partition, long offset, long timestamp) {
        }

        default void sampleRemoved(int partition, long offset) {
        }

        default void nodeChanged(Heartbeat heartbeat) {
        }
    }

    public LagCalculator(int maxSamples, Changes changes) {
        if (maxSamples < 4) {
            throw new IllegalArgumentException("keep at least 4 samples per partition, got " + maxSamples);
        }
        this.maxSamples = maxSamples;
        this.samplesAfterThinning = maxSamples * 3 / 4;
        this.changes = changes;
    }

    // Restoring from the stores: no change notifications.

    public void restoreHead(WalHead head) {
        heads.put(head.partition(), head);
    }

    public void restoreSample(int partition, long offset, long timestamp) {
        samples.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, timestamp);
    }

    public void restoreNode(Heartbeat heartbeat) {
        nodes.put(heartbeat.nodeId(), heartbeat);
    }

    /** A newer head replaces the known one (an older one, replayed after a restart, does not); samples are added. */
    public void onHeadUpdate(HeadUpdate update) {
        WalHead head = update.head();
        int partition = head.partition();
        WalHead current = heads.get(partition);
        if (current == null || head.headOffset() >= current.headOffset()) {
            heads.put(partition, head);
            changes.headChanged(head);
        }
        if (update.samples().isEmpty()) {
            return;
        }
        TreeMap<Long, Long> index = samples.computeIfAbsent(partition, p -> new TreeMap<>());
        for (Sample sample : update.samples()) {
            if (index.putIfAbsent(sample.offset(), sample.timestamp()) == null) {
                changes.sampleAdded(partition, sample.offset(), sample.timestamp());
            }
        }
        if (index.size() > maxSamples) {
            thin(partition, index);
        }
    }

    /** The node's newest heartbeat replaces its previous one. */
    public void onHeartbeat(Heartbeat heartbeat) {
        nodes.put(heartbeat.nodeId(), heartbeat);
        changes.nodeChanged(heartbeat);
    }

    /** Every region that has heartbeated, sorted. */
    public SortedSet<String> regions() {
        SortedSet<String> regions = new TreeSet<>();
        nodes.values().forEach(hb -> regions.add(hb.region()));
        return regions;
    }

    public Optional<WalHead> head(int partition) {
        return Optional.ofNullable(heads.get(partition));
    }

    public int sampleCount(int partition) {
        TreeMap<Long, Long> index = samples.get(partition);
        return index == null ? 0 : index.size();
    }

    /** Totals over every partition. */
    public WalStats walStats() {
        long entries = 0;
        long bytes = 0;
        long last = -1;
        for (WalHead head : heads.values()) {
            entries += head.entries();
            bytes += head.bytes();
            last = Math.max(last, head.headTimestamp());
        }
        return new WalStats(entries, bytes, last);
    }

    /** The lag of {@code region} now, or empty when no node of it ever heartbeated. */
    public Optional<ReplicationLag> lagOf(String region, long nowMillis) {
        Map<Integer, Long> applied = new TreeMap<>();
        long lastHeartbeat = -1;
        for (Heartbeat hb : nodes.values()) {
            if (hb.region().equals(region)) {
                lastHeartbeat = Math.max(lastHeartbeat, hb.sentAtMillis());
                hb.appliedOffsets().forEach((partition, offset) -> applied.merge(partition, offset, Math::max));
            }
        }
        if (lastHeartbeat < 0) {
            return Optional.empty();
        }
        SortedSet<Integer> partitions = new TreeSet<>(heads.keySet());
        partitions.addAll(applied.keySet());
        List<PartitionLag> lags = new ArrayList<>(partitions.size());
        for (int partition : partitions) {
            lags.add(partitionLag(partition, applied.getOrDefault(partition, -1L)));
        }
        return Optional.of(ReplicationLag.of(region, lags, lastHeartbeat, nowMillis, walStats()));
    }

    private PartitionLag partitionLag(int partition, long appliedOffset) {
        WalHead head = heads.get(partition);
        if (head == null) {
            return new PartitionLag(partition, -1, appliedOffset, 0, 0);
        }
        long firstNotApplied = appliedOffset >= 0 ? appliedOffset + 1 : head.firstOffset();
        if (firstNotApplied > head.headOffset()) {
            return new PartitionLag(partition, head.headOffset(), appliedOffset, 0, 0);
        }
        long entries = head.headOffset() - firstNotApplied + 1;
        long millis = Math.max(0, head.headTimestamp() - estimateTimestamp(partition, firstNotApplied, head));
        return new PartitionLag(partition, head.headOffset(), appliedOffset, entries, millis / 1000.0);
    }

    /** The time of the record at {@code offset}: the head's own, else the floor sample's (see the class comment). */
    long estimateTimestamp(int partition, long offset, WalHead head) {
        if (offset >= head.headOffset()) {
            return head.headTimestamp();
        }
        TreeMap<Long, Long> index = samples.get(partition);
        if (index == null || index.isEmpty()) {
            return head.headTimestamp();  // no sample yet: nothing better than "now-ish"
        }
        Map.Entry<Long, Long> floor = index.floorEntry(offset);
        // Below the oldest sample (older than the monitor's first read): the oldest time known, a lower bound of lag.
        return floor != null ? floor.getValue() : index.firstEntry().getValue();
    }

    private void thin(int partition, TreeMap<Long, Long> index) {
        long now = heads.containsKey(partition) ? heads.get(partition).headTimestamp() : index.lastEntry().getValue();
        double epsilon = THINNING_EPSILON;
        while (index.size() > samplesAfterThinning) {
            if (epsilon > 1) {
                // Past 100 % of the age the rule keeps only samples whose clocks disagree; halve instead.
                dropEveryOther(partition, index);
            } else {
                thinOnce(partition, index, now, epsilon);
                epsilon *= 2;
            }
        }
    }

    private void dropEveryOther(int partition, TreeMap<Long, Long> index) {
        Iterator<Long> it = index.keySet().iterator();
        long newest = index.lastKey();
        it.next();  // the oldest stays
        boolean drop = true;
        while (it.hasNext()) {
            long offset = it.next();
            if (drop && offset != newest) {
                it.remove();
                changes.sampleRemoved(partition, offset);
            }
            drop = !drop;
        }
    }

    /** From newest to oldest, drops a sample closer to the last one kept than {@code epsilon} × its age. */
    private void thinOnce(int partition, TreeMap<Long, Long> index, long now, double epsilon) {
        NavigableMap<Long, Long> newestFirst = index.descendingMap();
        Iterator<Map.Entry<Long, Long>> it = newestFirst.entrySet().iterator();
        long oldest = index.firstKey();
        long lastKept = it.next().getValue();
        while (it.hasNext()) {
            Map.Entry<Long, Long> sample = it.next();
            if (sample.getKey() == oldest) {
                break;
            }
            double age = Math.max(0, now - sample.getValue());
            if (lastKept - sample.getValue() < epsilon * age) {
                long offset = sample.getKey();
                it.remove();
                changes.sampleRemoved(partition, offset);
            } else {
                lastKept = sample.getValue();
            }
        }
    }
}
