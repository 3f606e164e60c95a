package io.meridian.streams.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of one bucket of remembered write ids (see {@link WriteIdsWindow}): a header with the highest WAL offset
 * of its entries, then the entries (id, the offset it is remembered at, the value "position|digest"). Immutable
 * encoding; {@link Builder} appends. Not thread-safe.
 *
 * <pre>
 *   [1 version][8 max offset][4 entries] then per entry [4 id bytes][id UTF-8][8 offset][4 value bytes][value UTF-8]
 * </pre>
 */
final class WriteIdBucket {
    static final byte VERSION = 1;
    private static final int HEADER = 1 + 8 + 4;

    /** One remembered id: {@code tenant + "/" + writeId}, the WAL offset it is remembered at, "position|digest". */
    record Entry(String id, long offset, String value) {
    }

    private WriteIdBucket() {
    }

    /** The highest offset of the bucket's entries (-1 when empty), read from the header alone. */
    static long maxOffset(byte[] bucket) {
        check(bucket);
        return ByteBuffer.wrap(bucket, 1, 8).getLong();
    }

    static List<Entry> decode(byte[] bucket) {
        check(bucket);
        ByteBuffer in = ByteBuffer.wrap(bucket);
        in.position(1 + 8);
        int count = in.getInt();
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = string(in);
            long offset = in.getLong();
            entries.add(new Entry(id, offset, string(in)));
        }
        return entries;
    }

    private static void check(byte[] bucket) {
        if (bucket.length < HEADER || bucket[0] != VERSION) {
            throw new IllegalStateException("not a write-id bucket of version " + VERSION + " (" + bucket.length
                    + " bytes)");
        }
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    /** Appends entries; {@link #encode()} copies, so the builder can go on appending. */
    static final class Builder {
        private byte[] buf = new byte[512];
        private int length = HEADER;
        private int count;
        private long maxOffset = -1;

        static Builder of(List<Entry> entries) {
            Builder b = new Builder();
            entries.forEach(b::add);
            return b;
        }

        void add(Entry entry) {
            byte[] id = entry.id().getBytes(StandardCharsets.UTF_8);
            byte[] value = entry.value().getBytes(StandardCharsets.UTF_8);
            ensure(4 + id.length + 8 + 4 + value.length);
            ByteBuffer out = ByteBuffer.wrap(buf, length, buf.length - length);
            out.putInt(id.length).put(id).putLong(entry.offset()).putInt(value.length).put(value);
            length = out.position();
            count++;
            maxOffset = Math.max(maxOffset, entry.offset());
        }

        int count() {
            return count;
        }

        /** The bytes {@link #encode()} returns. */
        int bytes() {
            return length;
        }

        byte[] encode() {
            byte[] bytes = Arrays.copyOf(buf, length);
            ByteBuffer.wrap(bytes).put(VERSION).putLong(maxOffset).putInt(count);
            return bytes;
        }

        private void ensure(int more) {
            if (length + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
            }
        }
    }
}
