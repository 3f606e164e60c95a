package io.meridian.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.SyncRecord;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalHeaders;
import io.meridian.streams.internal.WriteIdsIndexStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * One region's applier under a {@link TopologyTestDriver}: typed and raw inputs on {@code meridian.wal}, the conflict
 * and DLQ outputs, the stores, and a {@link RecordingListener}. Everything lands in WAL partition 0 (the driver runs
 * one task). Each instance has its own state directory, removed on close.
 */
final class ApplierDriver implements AutoCloseable {
    static final long START_MS = 1_700_000_000_000L;

    final String region;
    final RecordingListener listener;
    final TopologyTestDriver driver;
    private final TestInputTopic<String, WalRecord> wal;
    private final TestInputTopic<String, byte[]> rawWal;
    private final TestOutputTopic<String, ConflictRecord> conflicts;
    private final TestOutputTopic<String, DeadLetter> dlq;
    private final TestInputTopic<String, SyncRecord> syncIn;
    private final TestOutputTopic<String, SyncRecord> syncOut;
    private final Path stateDir;
    private long nextTimestamp = START_MS;

    ApplierDriver(String region) {
        this(region, ApplyListener.NONE);
    }

    ApplierDriver(String region, ApplyListener next) {
        this(region, next, RegionApplierTopology.IDEMPOTENCY_WINDOW_RECORDS);
    }

    /** With an idempotency window of {@code idempotencyWindowRecords} WAL records. */
    ApplierDriver(String region, ApplyListener next, long idempotencyWindowRecords) {
        this(region, next, idempotencyWindowRecords, 1);
    }

    /**
     * With a WAL of {@code walPartitions} partitions, of which the driver feeds partition 0 only: with more than one,
     * a tenant whose partition is not 0 is on the wrong partition.
     */
    ApplierDriver(String region, ApplyListener next, long idempotencyWindowRecords, int walPartitions) {
        this.region = region;
        this.listener = new RecordingListener(next);
        try {
            stateDir = Files.createTempDirectory(stateRoot(), "meridian-applier-" + region + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, RegionStreams.applicationId(region));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(RegionApplierTopology.build(new Topology(), region, walPartitions, listener,
                true, idempotencyWindowRecords), props);
        wal = driver.createInputTopic(Topics.WAL.name(), Topics.WAL.keySerde().serializer(),
                Topics.WAL.valueSerde().serializer());
        rawWal = driver.createInputTopic(Topics.WAL.name(), new StringSerializer(), new ByteArraySerializer());
        conflicts = driver.createOutputTopic(Topics.CONFLICTS.name(), Topics.CONFLICTS.keySerde().deserializer(),
                Topics.CONFLICTS.valueSerde().deserializer());
        syncIn = driver.createInputTopic(Topics.SYNC.name(), Topics.SYNC.keySerde().serializer(),
                Topics.SYNC.valueSerde().serializer());
        syncOut = driver.createOutputTopic(Topics.SYNC.name(), Topics.SYNC.keySerde().deserializer(),
                Topics.SYNC.valueSerde().deserializer());
        dlq = driver.createOutputTopic(Topics.DLQ.name(), Topics.DLQ.keySerde().deserializer(),
                Topics.DLQ.valueSerde().deserializer());
    }

    /**
     * The driver commits after every record and each RocksDB store then fsyncs a checkpoint file: on a disk that is
     * ~10 ms a store. A memory file system (Linux {@code /dev/shm}) makes that free; elsewhere the OS temp dir does.
     */
    private static Path stateRoot() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Pipes {@code record} keyed by its tenant; returns the timestamp it was given. */
    long pipe(WalRecord record) {
        long timestamp = nextTimestamp++;
        wal.pipeInput(record.tenant(), record, Instant.ofEpochMilli(timestamp));
        return timestamp;
    }

    /** Pipes a snapshot record (as another region's applier wrote it to {@code meridian.sync}). */
    void pipeSync(SyncRecord record) {
        syncIn.pipeInput(record.tenant(), record, Instant.ofEpochMilli(nextTimestamp++));
    }

    /** The snapshot records this applier wrote since the last call. */
    List<SyncRecord> readSync() {
        return syncOut.readValuesToList();
    }

    /** Pipes {@code record} stamped {@code timestamp}, as a producer with that clock would. */
    void pipeAt(WalRecord record, long timestamp) {
        wal.pipeInput(record.tenant(), record, Instant.ofEpochMilli(timestamp));
    }

    /** Moves the record time of the next records forward by {@code millis}. */
    void advanceRecordTime(long millis) {
        nextTimestamp += millis;
    }

    /** Pipes raw bytes (possibly null) under {@code key}; returns the timestamp it was given. */
    long pipeRaw(String key, byte[] value) {
        long timestamp = nextTimestamp++;
        rawWal.pipeInput(key, value, Instant.ofEpochMilli(timestamp));
        return timestamp;
    }

    /** Pipes one data record and returns the single decision it produced. */
    ApplyOutcome apply(WalRecord.DataRecord record) {
        int before = listener.decisions.size();
        pipe(record);
        assertEquals(before + 1, listener.decisions.size(), "one decision per data record");
        ApplyOutcome outcome = listener.decisions.get(before);
        assertEquals(record.writeId(), outcome.writeId());
        return outcome;
    }

    /** As {@link #apply} for a write whose id the router made up (it carries {@link WalHeaders#GENERATED_ID}). */
    ApplyOutcome applyWithGeneratedId(WalRecord.DataRecord record) {
        int before = listener.decisions.size();
        RecordHeaders headers = new RecordHeaders();
        WalHeaders.markGeneratedId(headers);
        wal.pipeInput(new TestRecord<>(record.tenant(), record, headers, Instant.ofEpochMilli(nextTimestamp++)));
        assertEquals(before + 1, listener.decisions.size(), "one decision per data record");
        return listener.decisions.get(before);
    }

    /** The position the applier reported last. */
    Position lastApplied() {
        return listener.applied.get(listener.applied.size() - 1);
    }

    /** The documents' store: stored forms ({@link StoredDocument#toStored}) by tenant + "/" + key. */
    KeyValueStore<String, byte[]> docsStore() {
        return driver.getKeyValueStore(ApplierStores.DOCS);
    }

    StoredDocument doc(String tenant, String key) {
        byte[] stored = docsStore().get(ApplierStores.docKey(tenant, key));
        return stored == null ? null : StoredDocument.fromStored(stored);
    }

    /** Key → document of {@code tenant}, sorted by key. */
    TreeMap<String, StoredDocument> documents(String tenant) {
        TreeMap<String, StoredDocument> result = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> it = docsStore().all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.startsWith(tenant + "/")) {
                    result.put(kv.key.substring(tenant.length() + 1), StoredDocument.fromStored(kv.value));
                }
            });
        }
        return result;
    }

    /** The digest the applier keeps for {@code tenant} (null when it keeps none). */
    TenantDigest keptDigest(String tenant) {
        KeyValueStore<String, byte[]> digests = driver.getKeyValueStore(ApplierStores.DIGESTS);
        byte[] kept = digests.get(tenant);
        return kept == null ? null : TenantDigest.fromBytes(kept);
    }

    /** Drops the digest kept for {@code tenant}, as a task (re)created on restored documents has none. */
    void forgetKeptDigest(String tenant) {
        driver.<String, byte[]>getKeyValueStore(ApplierStores.DIGESTS).delete(tenant);
    }

    /** The digest of {@code tenant}'s documents as a scan of the store computes it. */
    TenantDigest scannedDigest(String tenant) {
        return io.meridian.streams.internal.TenantDocuments.scanDigest(
                docsStore().prefixScan(tenant + "/", new StringSerializer()));
    }

    Placement fenceOf(String tenant) {
        KeyValueStore<String, Placement> fences = driver.getKeyValueStore(ApplierStores.FENCES);
        return fences.get(tenant);
    }

    /** How far the applier told its listener it applied {@code partition}; null before any record there. */
    Long appliedOffset(int partition) {
        return listener.applied.stream().filter(p -> p.partition() == partition).reduce((a, b) -> b)
                .map(Position::offset).orElse(null);
    }

    /**
     * How many records the applier has sent to the changelog of {@code store} so far (the driver commits, and so
     * flushes cached stores, after every input record).
     */
    int changelogRecords(String store) {
        return driver.createOutputTopic(RegionStreams.applicationId(region) + "-" + store + "-changelog",
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList().size();
    }

    /** The records the applier has sent to the changelog of {@code store} so far, in order (key and value bytes). */
    List<KeyValue<byte[], byte[]>> changelog(String store) {
        return driver.createOutputTopic(RegionStreams.applicationId(region) + "-" + store + "-changelog",
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).readKeyValuesToList();
    }

    /**
     * Restores the write-id store from {@code changelog} (another applier's) through the callback Streams restores
     * it with, as a node that takes the task over with no local state does.
     */
    void restoreWriteIds(List<KeyValue<byte[], byte[]>> changelog) {
        StateStore store = driver.getAllStateStores().get(ApplierStores.WRITE_IDS);
        ((WrappedStateStore<?, ?, ?>) store).findInner(WriteIdsIndexStore.class).restoreAll(changelog);
    }

    /**
     * Puts an id into the legacy write-id store as a version before the buckets remembered it: key tenant + "/" + id,
     * value "position|digest", window time the WAL offset.
     */
    void rememberLegacy(String tenant, String writeId, String value, long offset) {
        WindowStore<String, String> legacy = driver.getWindowStore(ApplierStores.LEGACY_WRITE_IDS);
        legacy.put(tenant + "/" + writeId, value, offset);
    }

    List<KeyValue<String, ConflictRecord>> readConflicts() {
        return conflicts.readKeyValuesToList();
    }

    List<KeyValue<String, DeadLetter>> readDeadLetters() {
        return dlq.readKeyValuesToList();
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            deleteRecursively(stateDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
