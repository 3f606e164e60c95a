package io.meridian.streams.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The innermost layer of the write-id store: one RocksDB holding the buckets (what Streams' caching and change-logging
 * layers above it write, and what its changelog carries: one record per bucket, see {@link WriteIdsWindow}) and an
 * index id → (bucket, offset, "position|digest") that the changelog does not carry. The index is derived:
 * the applier writes it as it remembers or forgets ids, and a restore from the changelog (a new node, a crash under
 * exactly-once, a standby following the active task) rebuilds it from the buckets as they arrive, by the same rule
 * (per id, the entry with the highest offset among the buckets that hold it). So the index after any restore holds,
 * for every id within the window, what the applier's own index held at the commit it restored to.
 *
 * <p>Streams calls this store on the task's stream thread only; the {@link Supplier} hands the processor of the same
 * task (and thread) the instance Streams built for it. Not thread-safe otherwise.
 */
public final class WriteIdsIndexStore implements KeyValueStore<Bytes, byte[]> {
    private static final byte BUCKET = 'b';
    private static final byte INDEX = 'i';

    /** An index entry: the bucket holding the id, the offset it is remembered at, and "position|digest". */
    record IndexEntry(long bucket, long offset, String value) {
    }

    /**
     * Builds one store per task (Streams calls {@link #get()} per task) and finds a task's store for its processor:
     * the processor reaches the index directly, under the caching layer, so that an index entry is never served
     * stale from the cache. Thread-safe.
     */
    public static final class Supplier implements KeyValueBytesStoreSupplier {
        private final String name;
        private final Map<TaskId, WriteIdsIndexStore> open = new ConcurrentHashMap<>();

        public Supplier(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public KeyValueStore<Bytes, byte[]> get() {
            return new WriteIdsIndexStore(name, Stores.persistentKeyValueStore(name).get(), open);
        }

        @Override
        public String metricsScope() {
            return "rocksdb";
        }

        /** The initialized store of {@code task}, or null (no such store in this topology, as in processor tests). */
        WriteIdsIndexStore of(TaskId task) {
            return open.get(task);
        }
    }

    private final String name;
    private final KeyValueStore<Bytes, byte[]> rocks;
    private final Map<TaskId, WriteIdsIndexStore> registry;
    private TaskId task;

    private WriteIdsIndexStore(String name, KeyValueStore<Bytes, byte[]> rocks,
                               Map<TaskId, WriteIdsIndexStore> registry) {
        this.name = name;
        this.rocks = rocks;
        this.registry = registry;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        task = context.taskId();
        // RocksDB's own restore callback would copy the buckets and leave the index empty: restore through ours.
        rocks.init(new RestoringThroughIndex(context, (BatchingStateRestoreCallback) this::restoreAll), root);
        registry.put(task, this);
    }

    /**
     * Applies changelog records (buckets and bucket tombstones) in their log order, indexing every entry: the restore
     * callback Streams calls (public so that tests can restore one applier's changelog into another).
     */
    public void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
        for (KeyValue<byte[], byte[]> record : records) {
            long seq = ByteBuffer.wrap(record.key).getLong();
            byte[] old = rocks.get(bucketKey(seq));
            if (old != null) {
                Set<String> kept = new HashSet<>();
                if (record.value != null) {
                    WriteIdBucket.decode(record.value).forEach(e -> kept.add(e.id()));
                }
                for (WriteIdBucket.Entry e : WriteIdBucket.decode(old)) {
                    IndexEntry current = index(e.id());
                    if (!kept.contains(e.id()) && current != null && current.bucket() == seq) {
                        deleteIndex(e.id());
                    }
                }
            }
            if (record.value == null) {
                rocks.delete(bucketKey(seq));
                continue;
            }
            rocks.put(bucketKey(seq), record.value);
            for (WriteIdBucket.Entry e : WriteIdBucket.decode(record.value)) {
                putIndex(e.id(), new IndexEntry(seq, e.offset(), e.value()));
            }
        }
    }

    /** The id's entry, or null. */
    IndexEntry index(String id) {
        byte[] v = rocks.get(indexKey(id));
        return v == null ? null : decodeIndex(v);
    }

    private static IndexEntry decodeIndex(byte[] v) {
        ByteBuffer in = ByteBuffer.wrap(v);
        long bucket = in.getLong();
        long offset = in.getLong();
        return new IndexEntry(bucket, offset, new String(v, 16, v.length - 16, StandardCharsets.UTF_8));
    }

    /** Indexes {@code entry} unless the id has an entry at a higher offset (the rule a restore follows too). */
    void putIndex(String id, IndexEntry entry) {
        IndexEntry current = index(id);
        if (current != null && current.offset() > entry.offset()) {
            return;
        }
        putNewestIndex(id, entry);
    }

    /**
     * Indexes {@code entry} without reading the id's current entry: for the applier remembering the id of the record
     * it applies, whose offset is above every entry of its partition (it applies in log order). That read was the
     * costliest RocksDB call of the applier's stream thread (bench --only apply, JFR native samples).
     */
    void putNewestIndex(String id, IndexEntry entry) {
        byte[] value = entry.value().getBytes(StandardCharsets.UTF_8);
        rocks.put(indexKey(id), ByteBuffer.allocate(16 + value.length).putLong(entry.bucket())
                .putLong(entry.offset()).put(value).array());
    }

    void deleteIndex(String id) {
        rocks.delete(indexKey(id));
    }

    /** Every index entry whose id starts with {@code prefix}, in key order; {@code sink} must not write here. */
    void forEachIndexed(String prefix, BiConsumer<String, IndexEntry> sink) {
        byte[] from = indexKey(prefix).get();
        // UTF-8 never has a 0xFF byte: the range holds exactly the keys that start with the prefix.
        byte[] to = Arrays.copyOf(from, from.length + 1);
        to[to.length - 1] = (byte) 0xFF;
        try (KeyValueIterator<Bytes, byte[]> it = rocks.range(Bytes.wrap(from), Bytes.wrap(to))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                byte[] key = kv.key.get();
                sink.accept(new String(key, 1, key.length - 1, StandardCharsets.UTF_8), decodeIndex(kv.value));
            }
        }
    }

    // The KeyValueStore of buckets that Streams' layers see: keys are 8-byte bucket numbers.

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            rocks.delete(bucketKey(key));
        } else {
            rocks.put(bucketKey(key), value);
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public byte[] get(Bytes key) {
        return rocks.get(bucketKey(key));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return buckets(rocks.range(from == null ? bucketKey(0) : bucketKey(from), to == null ? bucketKey(-1)
                : bucketKey(to)));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return buckets(rocks.reverseRange(from == null ? bucketKey(0) : bucketKey(from), to == null ? bucketKey(-1)
                : bucketKey(to)));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return range(null, null);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return reverseRange(null, null);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        throw new UnsupportedOperationException("write-id buckets are read by range");
    }

    @Override
    public long approximateNumEntries() {
        return rocks.approximateNumEntries();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        rocks.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        rocks.commit(changelogOffsets);
    }

    @Override
    public boolean managesOffsets() {
        return rocks.managesOffsets();
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return rocks.committedOffset(partition);
    }

    @Override
    public void close() {
        if (task != null) {
            registry.remove(task, this);
        }
        rocks.close();
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return rocks.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public Position getPosition() {
        return rocks.getPosition();
    }

    private static Bytes bucketKey(Bytes seq) {
        byte[] k = new byte[9];
        k[0] = BUCKET;
        System.arraycopy(seq.get(), 0, k, 1, 8);
        return Bytes.wrap(k);
    }

    /** -1 stands for the end of the bucket range. */
    private static Bytes bucketKey(long seq) {
        ByteBuffer k = ByteBuffer.allocate(9).put(BUCKET);
        if (seq < 0) {
            k.put(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        } else {
            k.putLong(seq);
        }
        return Bytes.wrap(k.array());
    }

    private static Bytes indexKey(String id) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[b.length + 1];
        k[0] = INDEX;
        System.arraycopy(b, 0, k, 1, b.length);
        return Bytes.wrap(k);
    }

    /** Bucket keys without their prefix, as the layers above wrote them. */
    private static KeyValueIterator<Bytes, byte[]> buckets(KeyValueIterator<Bytes, byte[]> inner) {
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                KeyValue<Bytes, byte[]> kv = inner.next();
                return KeyValue.pair(strip(kv.key), kv.value);
            }

            @Override
            public Bytes peekNextKey() {
                return strip(inner.peekNextKey());
            }

            @Override
            public void close() {
                inner.close();
            }

            private Bytes strip(Bytes key) {
                return Bytes.wrap(Arrays.copyOfRange(key.get(), 1, key.get().length));
            }
        };
    }

    /** Streams' context, except that the RocksDB under this store registers this store's restore callback. */
    private static final class RestoringThroughIndex implements StateStoreContext {
        private final StateStoreContext context;
        private final StateRestoreCallback restore;

        RestoringThroughIndex(StateStoreContext context, StateRestoreCallback restore) {
            this.context = context;
            this.restore = restore;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback ignored) {
            context.register(store, restore);
        }

        @Override
        public void register(StateStore store, StateRestoreCallback ignored, CommitCallback onCommit) {
            context.register(store, restore, onCommit);
        }

        @Override
        public String applicationId() {
            return context.applicationId();
        }

        @Override
        public TaskId taskId() {
            return context.taskId();
        }

        @Override
        public java.util.Optional<RecordMetadata> recordMetadata() {
            return context.recordMetadata();
        }

        @Override
        public Serde<?> keySerde() {
            return context.keySerde();
        }

        @Override
        public Serde<?> valueSerde() {
            return context.valueSerde();
        }

        @Override
        public java.io.File stateDir() {
            return context.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return context.metrics();
        }

        @Override
        public Map<String, Object> appConfigs() {
            return context.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return context.appConfigsWithPrefix(prefix);
        }
    }
}
