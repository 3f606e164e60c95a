package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How far one region's appliers are behind the head of {@code meridian.wal}, per partition and in total: the value
 * of {@code meridian.replication-lag} (compacted, keyed by region). Published by the lag monitor on every heartbeat of
 * the region and every few seconds for every region it has heard of, so the lag of a region that stopped reporting
 * keeps growing with the WAL. Immutable; {@link #partitions} is sorted by partition.
 *
 * <p>Entries are offset distances, so a transaction marker between two records counts as one entry (the controller
 * writes fences in transactions; data records are not transactional).
 *
 * @param region              the region
 * @param partitions          one entry per WAL partition that has records or that the region reported
 * @param totalLagEntries     the sum of {@link PartitionLag#lagEntries}
 * @param maxLagSeconds       the largest {@link PartitionLag#lagSeconds}, 0 without partitions
 * @param lastHeartbeatMillis {@code sentAtMillis} of the region's newest heartbeat (the sender's clock)
 * @param computedAtMillis    the monitor's wall clock when it computed this
 * @param wal                 the WAL totals at that moment (the same for every region)
 */
public record ReplicationLag(
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "partitions", required = true) List<PartitionLag> partitions,
        @JsonProperty(value = "totalLagEntries", required = true) long totalLagEntries,
        @JsonProperty(value = "maxLagSeconds", required = true) double maxLagSeconds,
        @JsonProperty(value = "lastHeartbeatMillis", required = true) long lastHeartbeatMillis,
        @JsonProperty(value = "computedAtMillis", required = true) long computedAtMillis,
        @JsonProperty(value = "wal", required = true) WalStats wal) {

    public ReplicationLag {
        Names.requireRegion(region);
        Objects.requireNonNull(partitions, "partitions");
        Objects.requireNonNull(wal, "wal");
        List<PartitionLag> sorted = new ArrayList<>(partitions);
        sorted.forEach(p -> Objects.requireNonNull(p, "partitions must not contain null"));
        sorted.sort(Comparator.comparingInt(PartitionLag::partition));
        long sum = 0;
        double max = 0;
        for (int i = 0; i < sorted.size(); i++) {
            PartitionLag p = sorted.get(i);
            if (i > 0 && sorted.get(i - 1).partition() == p.partition()) {
                throw new IllegalArgumentException("partition " + p.partition() + " appears twice in the lag of "
                        + region);
            }
            sum += p.lagEntries();
            max = Math.max(max, p.lagSeconds());
        }
        if (totalLagEntries != sum) {
            throw new IllegalArgumentException("totalLagEntries " + totalLagEntries + " is not the sum of the"
                    + " partitions' lag, " + sum);
        }
        if (Double.compare(maxLagSeconds, max) != 0) {
            throw new IllegalArgumentException("maxLagSeconds " + maxLagSeconds + " is not the largest partition lag, "
                    + max);
        }
        if (lastHeartbeatMillis < 0 || computedAtMillis < 0) {
            throw new IllegalArgumentException("lastHeartbeatMillis and computedAtMillis must not be negative, got "
                    + lastHeartbeatMillis + " and " + computedAtMillis);
        }
        partitions = List.copyOf(sorted);
    }

    /** The lag of {@code region} with the totals computed from {@code partitions}. */
    public static ReplicationLag of(String region, Collection<PartitionLag> partitions, long lastHeartbeatMillis,
            long computedAtMillis, WalStats wal) {
        long sum = partitions.stream().mapToLong(PartitionLag::lagEntries).sum();
        double max = partitions.stream().mapToDouble(PartitionLag::lagSeconds).max().orElse(0);
        return new ReplicationLag(region, List.copyOf(partitions), sum, Math.max(0, max), lastHeartbeatMillis,
                computedAtMillis, wal);
    }

    /**
     * One WAL partition as seen from one region.
     *
     * @param partition     the WAL partition
     * @param headOffset    offset of the partition's newest record, {@code -1} when it has none
     * @param appliedOffset offset of the last record the region applied there (max over its nodes), {@code -1} none
     * @param lagEntries    records the region has yet to apply: {@code headOffset - appliedOffset}, 0 when caught up;
     *                      with no applied offset, every record the partition holds
     * @param lagSeconds    WAL time between the head record and the first record not yet applied, 0 when caught up
     */
    public record PartitionLag(
            @JsonProperty(value = "partition", required = true) int partition,
            @JsonProperty(value = "headOffset", required = true) long headOffset,
            @JsonProperty(value = "appliedOffset", required = true) long appliedOffset,
            @JsonProperty(value = "lagEntries", required = true) long lagEntries,
            @JsonProperty(value = "lagSeconds", required = true) double lagSeconds) {

        public PartitionLag {
            if (partition < 0) {
                throw new IllegalArgumentException("partition must not be negative, got " + partition);
            }
            if (headOffset < -1 || appliedOffset < -1) {
                throw new IllegalArgumentException("offsets must be -1 (none) or non-negative, got head " + headOffset
                        + " and applied " + appliedOffset + " in partition " + partition);
            }
            if (lagEntries < 0 || !(lagSeconds >= 0) || Double.isInfinite(lagSeconds)) {
                throw new IllegalArgumentException("lag must be finite and non-negative, got " + lagEntries
                        + " entries and " + lagSeconds + " s in partition " + partition);
            }
        }
    }
}
