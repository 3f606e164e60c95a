package io.meridian.router.internal;

import io.meridian.infra.serde.RawJson;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The largest document a write can carry: its WAL record must fit the WAL producer's {@code max.request.size}, or
 * Kafka refuses it. Checked before producing, so that such a write gets {@code 413 document_too_large} and nothing is
 * produced, instead of a 503 that a retry would only repeat. Thread-safe.
 */
public final class DocumentLimit {
    /** How much longer than its input a JSON document can come out of Jackson (see {@link #check}). */
    private static final int MAX_GROWTH = 3;
    /** A WAL put's fields but the document and the strings, at their widest (names, quotes, longs, versions). */
    private static final int ENVELOPE_BYTES = 352;
    /** The longest document version a record can carry (base, If-Match): a position at its widest. */
    public static final String WIDEST_VERSION = Integer.MAX_VALUE + ":" + Long.MAX_VALUE;
    /**
     * Kafka's record format v2 (KIP-98): a batch header of 61 bytes, and at most 21 bytes of a record's own fields
     * (length, attributes, timestamp and offset deltas, as varints at their widest). Copied from
     * {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD} and {@code DefaultRecord.MAX_RECORD_OVERHEAD}: the wire format
     * is fixed, and those classes are internal (Kafka 4.4 moved them).
     */
    private static final int RECORD_BATCH_OVERHEAD = 61;
    private static final int MAX_RECORD_OVERHEAD = 21;
    private final String region;
    private final int maxRequestSize;

    /**
     * @param region         the region this node writes records as
     * @param maxRequestSize the WAL producer's {@code max.request.size}
     */
    public DocumentLimit(String region, int maxRequestSize) {
        this.region = region;
        this.maxRequestSize = maxRequestSize;
    }

    /**
     * As {@link #check(String, String, RawJson, String)}, for a document that came as {@code bodyBytes} of JSON:
     * skips the exact count when even the most the document can grow by being written again (a number such as
     * {@code 1e6} comes back as {@code 1000000.0}, nine characters for three; whitespace and escapes only shrink)
     * leaves its record within the limit, which spares most writes a second serialization.
     */
    public void check(String tenant, String key, RawJson value, String writeId, int bodyBytes) {
        long envelope = ENVELOPE_BYTES + 6L * (tenant.length() + key.length() + writeId.length() + region.length());
        if (kafkaBytes(6 * tenant.length(), (long) bodyBytes * MAX_GROWTH + envelope) <= maxRequestSize) {
            return;
        }
        check(tenant, key, value, writeId);
    }

    /** Throws {@code document_too_large} when the put of {@code value} would make a record Kafka refuses. */
    public void check(String tenant, String key, RawJson value, String writeId) {
        // Epoch, hlc and versions at their widest: the check runs before the placement, clock and base are read.
        long bytes = recordBytes(new WalRecord.Put(tenant, key, value, Long.MAX_VALUE, region, Long.MAX_VALUE,
                writeId, WIDEST_VERSION, WIDEST_VERSION));
        if (bytes > maxRequestSize) {
            throw ApiException.of(ErrorCode.DOCUMENT_TOO_LARGE, "the document would make a WAL record of up to "
                    + bytes + " bytes, over the limit of " + maxRequestSize + " bytes (the WAL producer's"
                    + " max.request.size, set as kafka.max.request.size): store a smaller document, e.g. split it;"
                    + " nothing was written", tenant);
        }
    }

    /** What KafkaProducer counts against {@code max.request.size} for {@code record}, keyed by its tenant. */
    public static long recordBytes(WalRecord record) {
        return kafkaBytes(record.tenant().getBytes(StandardCharsets.UTF_8).length, jsonBytes(record));
    }

    /** The length of {@code record} as the WAL serde writes it, counted without holding the bytes. */
    public static long jsonBytes(WalRecord record) {
        CountingStream out = new CountingStream();
        try {
            Json.MAPPER.writeValue(out, record);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize a WAL record: " + e.getMessage(), e);
        }
        return out.count;
    }

    /**
     * Kafka's upper bound of one record without headers in a batch of its own (what
     * {@code AbstractRecords.estimateSizeInBytesUpperBound} gives for the current record format), which
     * KafkaProducer compares with {@code max.request.size} before it sends.
     */
    public static long kafkaBytes(int keyBytes, long valueBytes) {
        int valueLength = (int) Math.min(valueBytes, Integer.MAX_VALUE);
        return RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD
                + sizeOfVarint(keyBytes) + keyBytes
                + sizeOfVarint(valueLength) + valueBytes
                + sizeOfVarint(0);  // the header count
    }

    /** Bytes of {@code value} as a zig-zag varint, as Kafka writes a record's lengths. */
    static int sizeOfVarint(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
