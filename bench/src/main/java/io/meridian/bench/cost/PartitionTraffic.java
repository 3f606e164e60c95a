package io.meridian.bench.cost;

/**
 * What one topic-partition received during a window: its end offset before and after, and the data records actually
 * read back from that range with a read_uncommitted consumer (aborted records included, control records skipped).
 *
 * @param startOffset end offset (high watermark) when the window opened
 * @param endOffset   end offset (high watermark) when the window closed
 * @param records     data records read back from [startOffset, endOffset)
 * @param bytes       their serialized key + value + header bytes
 */
public record PartitionTraffic(String topic, int partition, long startOffset, long endOffset, long records,
                               long bytes) {

    /** Offsets the window used up. */
    public long offsets() {
        return endOffset - startOffset;
    }

    /**
     * Offsets taken by something a consumer does not return: transaction markers (commit/abort control records).
     * Records deleted before they could be read (compaction, a purged repartition topic) would land here too; the
     * counter reads along with the window to keep that away.
     */
    public long markers() {
        return offsets() - records;
    }
}
