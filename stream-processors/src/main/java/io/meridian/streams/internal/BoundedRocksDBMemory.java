package io.meridian.streams.internal;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in this JVM, after Kafka Streams' "Bounded Memory Usage" recipe:
 * one LRU block cache shared by all stores, holding data blocks, index and filter blocks, and (through a
 * {@link WriteBufferManager}) the memtables too.
 *
 * <p>Why: Streams gives each RocksDB instance its own 50 MiB block cache and up to three 16 MiB memtables, and
 * keeps index and filter blocks outside any cache. The applier holds five stores per WAL task (the write-ids window
 * store is several RocksDB instances, one per segment), 12 tasks per node: ~60 instances whose memory has no bound
 * but the data. Here they share {@value #TOTAL_BYTES_MIB} MiB, of which memtables take at most
 * {@value #MEMTABLE_BYTES_MIB} MiB; a full memtable budget flushes the largest memtable to disk, a full cache evicts.
 *
 * <p>Set with {@code rocksdb.config.setter}; Streams creates one instance per store, so the cache and the write
 * buffer manager are static, shared by every store and Streams app of the JVM, and never closed by a store.
 * Thread-safe.
 */
public final class BoundedRocksDBMemory implements RocksDBConfigSetter {
    static final long TOTAL_BYTES_MIB = 32;
    static final long MEMTABLE_BYTES_MIB = 8;
    static final long TOTAL_BYTES = TOTAL_BYTES_MIB << 20;
    static final long MEMTABLE_BYTES = MEMTABLE_BYTES_MIB << 20;
    /** Part of the cache kept for index and filter blocks, so data blocks cannot evict them. */
    static final double INDEX_FILTER_RATIO = 0.2;
    /**
     * One store's memtable. Small because the budget is shared: 60 stores at Streams' 16 MiB would mean flushes decided
     * only by the manager. The arena block (the unit a memtable allocates) is an eighth of it.
     */
    static final long WRITE_BUFFER_BYTES = 1L << 20;
    static final int MAX_WRITE_BUFFERS = 2;

    // -1 shard bits: RocksDB picks them from the capacity; no strict limit, as Streams' docs advise (a strict cache
    // fails reads and writes when full instead of going over for a moment).
    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, INDEX_FILTER_RATIO);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(MAX_WRITE_BUFFERS);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write buffer manager are shared by every store: closing them here would break the others.
    }
}
