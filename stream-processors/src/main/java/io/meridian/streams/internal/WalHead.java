package io.meridian.streams.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The head of one WAL partition as the lag monitor saw it. Immutable.
 *
 * @param partition       the WAL partition
 * @param firstOffset     the first offset the monitor read there (the log start when it first ran)
 * @param headOffset      offset of the newest record read
 * @param headTimestamp   the largest record timestamp read (record times are producers' clocks, so not strictly
 *                        ordered; the largest keeps the head's time from going back)
 * @param entries         records read
 * @param bytes           their key + value bytes
 */
public record WalHead(
        @JsonProperty(value = "partition", required = true) int partition,
        @JsonProperty(value = "firstOffset", required = true) long firstOffset,
        @JsonProperty(value = "headOffset", required = true) long headOffset,
        @JsonProperty(value = "headTimestamp", required = true) long headTimestamp,
        @JsonProperty(value = "entries", required = true) long entries,
        @JsonProperty(value = "bytes", required = true) long bytes) {

    private static final int SIZE = Integer.BYTES + 5 * Long.BYTES;

    public WalHead {
        if (partition < 0 || firstOffset < 0 || headOffset < firstOffset || entries < 1 || bytes < 0) {
            throw new IllegalArgumentException("inconsistent WAL head: partition " + partition + ", offsets "
                    + firstOffset + ".." + headOffset + ", " + entries + " entries, " + bytes + " bytes");
        }
    }

    /** The head after one more record at {@code offset}. */
    public WalHead next(long offset, long timestamp, long size) {
        return new WalHead(partition, firstOffset, offset, Math.max(headTimestamp, timestamp), entries + 1,
                bytes + size);
    }

    /**
     * A fixed 44-byte binary form: the WAL head processor rewrites its head on every record (into the store's cache),
     * so this must cost next to nothing.
     */
    public static Serde<WalHead> binarySerde() {
        Serializer<WalHead> serializer = (topic, head) -> head == null ? null : ByteBuffer.allocate(SIZE)
                .putInt(head.partition).putLong(head.firstOffset).putLong(head.headOffset)
                .putLong(head.headTimestamp).putLong(head.entries).putLong(head.bytes).array();
        Deserializer<WalHead> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (data.length != SIZE) {
                throw new SerializationException("a WAL head is " + SIZE + " bytes, got " + data.length);
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            return new WalHead(buffer.getInt(), buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(),
                    buffer.getLong());
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
