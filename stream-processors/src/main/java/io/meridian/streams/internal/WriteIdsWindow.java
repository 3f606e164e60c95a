package io.meridian.streams.internal;

import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.streams.ApplierStores;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The write ids a partition accepted, for the duplicate check. An id is remembered for the next {@code windowRecords}
 * WAL offsets of its partition: its entry carries the offset it was accepted at, and a lookup at offset {@code p}
 * sees only entries in {@code [p - windowRecords, p]}. So the decision depends on the log alone, is the same in every
 * region and after any restore, and no producer clock (a node's skew, an NTP step, one record stamped in the future)
 * can make a retry look new or expire another tenant's ids.
 *
 * <p><b>What reaches Kafka.</b> The ids a task accepts go into <em>buckets</em>, numbered in order per task: a bucket
 * is one key of a cached, change-logged store, so all the ids accepted between two commits reach the changelog as one
 * record, whatever their number: the open bucket is held in heap and written into the store as a commit begins, or
 * once it holds {@value #BUCKET_ENTRIES} ids or {@value #BUCKET_BYTES} bytes, and is closed then. Before, each id was
 * its own changelog record: one per keyed write and region, 7.4 records per write with three regions against 4.4
 * without a key (issue 10). Which ids share a bucket depends on when commits fall, which differs between regions and
 * runs; no decision does: a lookup reads the index below.
 *
 * <p><b>Lookups.</b> {@link WriteIdsIndexStore} keeps, in the same RocksDB as the buckets, an index id → (bucket,
 * offset, position and digest). The changelog does not carry it: this class writes it as it remembers, forgets and
 * expires ids, and a restore from the changelog rebuilds it from the buckets by the same rule (per id, the entry at
 * the highest offset), so after a crash, a rebalance or on a new node the index answers every lookup within the
 * window as the applier's own index did at the restored commit. It is read under the cache, never from it.
 *
 * <p>Why not the alternatives: carrying the id in the document's changelog record (issue 10's other idea) is not
 * enough for the check: a later write to the key overwrites it, a delete leaves a tombstone, and the same id must
 * be refused for another key. An index in heap, rebuilt from the buckets at each start, would hold every id of the
 * window (up to ten million per partition) in memory; in RocksDB it costs disk and the shared block cache instead.
 *
 * <p><b>Cost per remembered id:</b> on disk, the id twice (bucket entry and index key) plus about 60 bytes (offsets,
 * position and digest); in the changelog, its bucket entry once (the id plus about 40 bytes); in heap, nothing once
 * its bucket closed (the open bucket, at most {@value #BUCKET_ENTRIES} ids, is a byte buffer). Expired buckets are
 * deleted (a tombstone each, so the changelog stays about the window's size); the oldest goes first, once every entry
 * in it is out of the window.
 *
 * <p>Not thread-safe: one per task, on its stream thread.
 */
public final class WriteIdsWindow {
    /**
     * The most ids one bucket takes: about 25 KiB with the router's ids. Under 64 keyed writers a partition takes
     * about 90 ids a commit interval, so one bucket holds them all.
     */
    static final int BUCKET_ENTRIES = 256;
    /**
     * The most bytes one bucket takes: with long ids (the router's are short, but any producer can write the WAL) a
     * bucket closes sooner, so that its changelog record stays far below the store's 2 MiB record limit.
     */
    static final int BUCKET_BYTES = 256 * 1024;
    /** Expired buckets deleted at most per accepted id: the expiry keeps up with one new bucket per id at most. */
    private static final int EXPIRED_PER_CALL = 2;

    /** Opens the store of a task. */
    @FunctionalInterface
    public interface Factory {
        WriteIdsWindow open(ProcessorContext<?, ?> context);
    }

    /** For a topology without the write-id stores (processor tests that pipe fences only). */
    public static Factory factory(long windowRecords) {
        return factory(new WriteIdsIndexStore.Supplier(ApplierStores.WRITE_IDS), false, windowRecords);
    }

    /**
     * @param stores the supplier of the topology's {@link ApplierStores#WRITE_IDS} store
     * @param legacy whether the topology has the {@link ApplierStores#LEGACY_WRITE_IDS} store, read as well
     */
    public static Factory factory(WriteIdsIndexStore.Supplier stores, boolean legacy, long windowRecords) {
        return context -> new WriteIdsWindow(context.getStateStore(ApplierStores.WRITE_IDS),
                stores.of(context.taskId()),
                legacy ? context.getStateStore(ApplierStores.LEGACY_WRITE_IDS) : null, windowRecords);
    }

    /** An earlier accepted write with the same tenant and id: where it landed, and whether it wrote the same. */
    record Seen(Position position, boolean sameDocument) {
    }

    private final KeyValueStore<Long, byte[]> buckets;
    private final WriteIdsIndexStore index;
    /** The ids an older version remembered (a window store by offset), read only; null when the topology has none. */
    private final WindowStore<String, String> legacy;
    private final long windowRecords;
    private final MessageDigest sha256;
    /** The number of the next bucket; -1 until the first id comes (then read from the store). */
    private long nextBucket = -1;
    /** The bucket ids are appended to, and its content; -1 and null when none is open. */
    private long openBucket = -1;
    private WriteIdBucket.Builder open;
    /** The oldest bucket and its highest offset (unknown: -1), the next to expire. Never the open bucket. */
    private long oldestBucket = -1;
    private long oldestMaxOffset;

    private WriteIdsWindow(KeyValueStore<Long, byte[]> buckets, WriteIdsIndexStore index,
                           WindowStore<String, String> legacy, long windowRecords) {
        this.buckets = buckets;
        this.index = index;
        this.legacy = legacy;
        this.windowRecords = windowRecords;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The accepted write with {@code data}'s tenant and id within the window before {@code position}, or null. */
    Seen lookup(WalRecord.DataRecord data, Position position) {
        String id = id(data);
        WriteIdsIndexStore.IndexEntry seen = index.index(id);
        // An id in the legacy store is older than any in the buckets: it counts only when the buckets have none.
        String value = seen != null ? (inWindow(seen.offset(), position.offset()) ? seen.value() : null)
                : legacyValue(id, position.offset());
        if (value == null) {
            return null;
        }
        int bar = value.indexOf('|');
        Position first = Position.parse(value.substring(0, bar));
        return new Seen(first, value.substring(bar + 1).equals(digest(data)));
    }

    /** Remembers the id of the record at {@code position}, the one the task applies now. */
    void remember(WalRecord.DataRecord data, Position position) {
        add(id(data), position.offset(), position + "|" + digest(data), true);
    }

    /**
     * Tells {@code sink} every id of {@code tenant} remembered within the window before {@code offset}: the buckets'
     * in key order, then the legacy store's that the buckets do not hold, in key order.
     */
    void forEachOf(String tenant, long offset, IdSink sink) {
        String prefix = tenant + "/";
        index.forEachIndexed(prefix, (id, e) -> {
            if (inWindow(e.offset(), offset)) {
                sink.accept(id.substring(prefix.length()), e.value(), e.offset());
            }
        });
        if (legacy != null) {
            try (KeyValueIterator<Windowed<String>, String> it = legacy.fetch(prefix, tenant + "0",
                    Math.max(0, offset - windowRecords), offset)) {
                it.forEachRemaining(kv -> {
                    if (index.index(kv.key.key()) == null) {
                        sink.accept(kv.key.key().substring(prefix.length()), kv.value, kv.key.window().start());
                    }
                });
            }
        }
    }

    /** Remembers an id copied from another region's snapshot, at the offset it was remembered there. */
    void restore(String tenant, String writeId, String value, long offset) {
        add(tenant + "/" + writeId, offset, value, false);
    }

    /** Forgets every id of {@code tenant} (its copy here is about to be replaced by a snapshot). */
    void forget(String tenant) {
        String prefix = tenant + "/";
        if (legacy != null) {
            List<Windowed<String>> old = new ArrayList<>();
            try (KeyValueIterator<Windowed<String>, String> it = legacy.fetch(prefix, tenant + "0", 0L,
                    Long.MAX_VALUE)) {
                it.forEachRemaining(kv -> old.add(kv.key));
            }
            old.forEach(k -> legacy.put(k.key(), null, k.window().start()));
        }
        writeOpenBucket();  // so that every bucket to rewrite is in the store
        Map<String, Long> ids = new HashMap<>();
        index.forEachIndexed(prefix, (id, e) -> ids.put(id, e.bucket()));
        ids.keySet().forEach(index::deleteIndex);
        // The buckets that held them are written again without the tenant's ids (an older entry of an id, shadowed
        // by a newer one, may stay: it is out of the window, or the newer one would not exist).
        for (long bucket : new TreeSet<>(ids.values())) {
            byte[] bytes = buckets.get(bucket);
            if (bytes == null) {
                continue;
            }
            List<WriteIdBucket.Entry> kept = WriteIdBucket.decode(bytes).stream()
                    .filter(e -> !e.id().startsWith(prefix)).toList();
            if (kept.isEmpty()) {
                buckets.delete(bucket);
            } else {
                buckets.put(bucket, WriteIdBucket.Builder.of(kept).encode());
            }
        }
    }

    /** @param applying whether {@code offset} is the record the task applies now, above every entry (log order) */
    private void add(String id, long offset, String value, boolean applying) {
        expire(offset);
        if (open == null) {
            if (nextBucket < 0) {
                try (KeyValueIterator<Long, byte[]> last = buckets.reverseAll()) {
                    nextBucket = last.hasNext() ? last.next().key + 1 : 0;
                }
            }
            openBucket = nextBucket++;
            open = new WriteIdBucket.Builder();
        }
        open.add(new WriteIdBucket.Entry(id, offset, value));
        WriteIdsIndexStore.IndexEntry entry = new WriteIdsIndexStore.IndexEntry(openBucket, offset, value);
        if (applying) {
            index.putNewestIndex(id, entry);
        } else {
            index.putIndex(id, entry);
        }
        if (open.count() >= BUCKET_ENTRIES || open.bytes() >= BUCKET_BYTES) {
            writeOpenBucket();
        }
    }

    /**
     * Writes the open bucket into the store (its cache) and closes it, so the next id opens another. Called when the
     * bucket is full, before {@link #forget} rewrites buckets, and, through {@link CommitFlush}, as every commit
     * begins: so the bucket reaches the changelog in the commit that covers its ids, and it is copied into the cache
     * once, not once per id (that copy, and the cache entry it replaced, were a twelfth of the applier's stream
     * thread: bench --only apply, JFR).
     */
    void writeOpenBucket() {
        if (open != null) {
            buckets.put(openBucket, open.encode());
            open = null;
            openBucket = -1;
        }
    }

    /** Deletes the oldest buckets whose every entry is out of the window at {@code offset}. */
    private void expire(long offset) {
        long horizon = offset - windowRecords;
        for (int i = 0; i < EXPIRED_PER_CALL && horizon > 0; i++) {
            if (oldestBucket < 0 && !findOldest()) {
                return;
            }
            if (oldestMaxOffset >= horizon) {
                return;
            }
            byte[] bytes = buckets.get(oldestBucket);
            if (bytes != null) {
                for (WriteIdBucket.Entry e : WriteIdBucket.decode(bytes)) {
                    WriteIdsIndexStore.IndexEntry current = index.index(e.id());
                    if (current != null && current.bucket() == oldestBucket) {
                        index.deleteIndex(e.id());
                    }
                }
                buckets.delete(oldestBucket);
            }
            oldestBucket = -1;
        }
    }

    /** Finds the oldest bucket in the store (the open one is not there yet); false when there is none. */
    private boolean findOldest() {
        try (KeyValueIterator<Long, byte[]> it = buckets.all()) {
            if (!it.hasNext()) {
                return false;
            }
            KeyValue<Long, byte[]> first = it.next();
            oldestBucket = first.key;
            oldestMaxOffset = WriteIdBucket.maxOffset(first.value);
            return true;
        }
    }

    /** The legacy store's newest "position|digest" of {@code id} within the window before {@code offset}, or null. */
    private String legacyValue(String id, long offset) {
        if (legacy == null) {
            return null;
        }
        String newest = null;
        try (WindowStoreIterator<String> seen = legacy.fetch(id, Math.max(0, offset - windowRecords), offset)) {
            while (seen.hasNext()) {
                newest = seen.next().value;
            }
        }
        return newest;
    }

    private boolean inWindow(long remembered, long offset) {
        return remembered >= Math.max(0, offset - windowRecords) && remembered <= offset;
    }

    /** Receives remembered ids: the write id, the stored value, the offset it is remembered at. */
    @FunctionalInterface
    interface IdSink {
        void accept(String writeId, String value, long offset);
    }

    private static String id(WalRecord.DataRecord data) {
        return data.tenant() + "/" + data.writeId();
    }

    /** What the write does: its kind, key and document; the same bytes in every region, so the same digest. */
    private String digest(WalRecord.DataRecord data) {
        String what = data instanceof WalRecord.Put put ? "put\n" + data.key() + "\n" + put.value() : "delete\n" + data.key();
        byte[] hash = sha256.digest(what.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
    }
}
