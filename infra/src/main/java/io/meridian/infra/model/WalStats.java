package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Totals of {@code meridian.wal} as the lag monitor counted them: every committed record it read since the WAL began
 * (as far back as the monitor's first read, i.e. the log start when it first ran). Cumulative, so that
 * {@code meridian_replication_entries_total} and {@code meridian_replication_bytes_total} are counters; rates come
 * from {@code rate()}. Immutable.
 *
 * @param entries          WAL records counted (data records and fences; transaction markers are not records)
 * @param bytes            their key + value bytes (headers and batch overhead excluded; the size on disk is
 *                         {@code meridian_wal_size_bytes})
 * @param lastRecordMillis timestamp of the newest record over all partitions, {@code -1} before the first
 */
public record WalStats(
        @JsonProperty(value = "entries", required = true) long entries,
        @JsonProperty(value = "bytes", required = true) long bytes,
        @JsonProperty(value = "lastRecordMillis", required = true) long lastRecordMillis) {

    /** Nothing counted yet. */
    public static final WalStats EMPTY = new WalStats(0, 0, -1);

    public WalStats {
        if (entries < 0 || bytes < 0) {
            throw new IllegalArgumentException("WAL entries and bytes must not be negative, got " + entries + " and "
                    + bytes);
        }
        if (lastRecordMillis < -1) {
            throw new IllegalArgumentException("lastRecordMillis must be -1 (none) or a timestamp, got "
                    + lastRecordMillis);
        }
    }
}
