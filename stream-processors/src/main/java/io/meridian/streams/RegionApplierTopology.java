package io.meridian.streams;

import io.meridian.infra.model.Placement;
import io.meridian.infra.serde.JsonSerde;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.model.SyncRecord;
import io.meridian.streams.internal.CommitFlush;
import io.meridian.streams.internal.RegionApplierProcessor;
import io.meridian.streams.internal.SyncState;
import java.util.Optional;
import java.util.Set;
import io.meridian.streams.internal.WriteIdsIndexStore;
import io.meridian.streams.internal.WriteIdsWindow;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The region applier: reads {@code meridian.wal} in log order, applies fences, decides every data record by the same
 * deterministic rules in every region, and materializes the documents of tenants replicated to its region.
 *
 * <pre>
 *   meridian.wal ──▶ applier ──┬─▶ tenant-docs, tenant-fences, controller-epochs, write-id-buckets
 *   (bytes)                    │   (stores, see {@link ApplierStores}); how far it applied: in its commits' metadata
 *   meridian.sync ──┘          ├─▶ meridian.sync        (a tenant's snapshot, when a region starts syncing it)
 *   (snapshots)                ├─▶ meridian.conflicts   (stale-epoch records and how they were resolved)
 *                              └─▶ meridian.dlq         (records it cannot read or will not apply, with the reason)
 * </pre>
 */
public final class RegionApplierTopology {
    /**
     * How many WAL records of its partition a write id is remembered for: a retry with the same Idempotency-Key
     * within them is answered with the first write's outcome and not applied again. Counted in records, not time,
     * so that no clock takes part; a constant, not a setting, because every region must decide the same way.
     */
    public static final long IDEMPOTENCY_WINDOW_RECORDS = 10_000_000L;

    /**
     * Room for any record the applier writes: a document's changelog record is its WAL record re-framed, which may
     * be a little larger than the WAL's 1 MiB limit. One record too large would fail every commit of its task and
     * stop the partition, so the applier's producer and its changelogs allow twice the WAL's limit.
     */
    public static final int MAX_RECORD_BYTES = 2 * 1024 * 1024;

    /**
     * The applier's {@code max.task.idle.ms}: disabled. A task reads a WAL partition and its {@code meridian.sync}
     * partition, and decides by WAL order alone (a snapshot may come before or after its fence, see TenantSyncs), so
     * it has no use for Streams' wait for the other partition. The wait's check also cost 7 % of the stream thread
     * (Kafka Streams 4.4 formats a trace message for the empty sync partition before every record, whether traced or
     * not; JFR of bench --only apply).
     */
    public static final long MAX_TASK_IDLE_MS = StreamsConfig.MAX_TASK_IDLE_MS_DISABLED;

    static final String SOURCE = "wal-source";
    static final String SYNC_SOURCE = "sync-source";
    static final String APPLIER = "applier";

    private RegionApplierTopology() {
    }

    /**
     * Adds the applier of {@code region} to {@code topology}; {@code listener} hears every decision.
     *
     * @param legacyWriteIds whether to read the write ids of older versions too ({@link ApplierStores#LEGACY_WRITE_IDS},
     *                       see {@link io.meridian.streams.internal.LegacyWriteIds}); the same on every node of a region
     */
    public static Topology build(Topology topology, String region, int walPartitions, ApplyListener listener,
                                 boolean legacyWriteIds) {
        return build(topology, region, walPartitions, listener, legacyWriteIds, IDEMPOTENCY_WINDOW_RECORDS);
    }

    /** As {@link #build(Topology, String, int, ApplyListener, boolean)} with another idempotency window (tests). */
    static Topology build(Topology topology, String region, int walPartitions, ApplyListener listener,
                          boolean legacyWriteIds, long idempotencyWindowRecords) {
        // Values are read as bytes so that a record that cannot be parsed goes to the DLQ instead of stopping the app.
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.WAL.name());
        // Tenant snapshots (full sync, re-seed): partitioned like the WAL, so a tenant's snapshot reaches the task
        // that applies its WAL partition.
        topology.addSource(SYNC_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.SYNC.name());
        WriteIdsIndexStore.Supplier writeIds = new WriteIdsIndexStore.Supplier(ApplierStores.WRITE_IDS);
        CommitFlush commitFlush = new CommitFlush();
        topology.addProcessor(APPLIER, () -> new RegionApplierProcessor(region, walPartitions, listener,
                WriteIdsWindow.factory(writeIds, legacyWriteIds, idempotencyWindowRecords), commitFlush),
                SOURCE, SYNC_SOURCE);
        // So that a commit waits for one round trip, not one per task (see CommitFlush).
        topology.addStateStore(commitFlush.hookStore(), APPLIER);
        // Documents are not cached: keys are mostly written once per commit interval, and the cache (a sorted map per
        // task, evicting under load) cost about a tenth of the applier's time for nothing (bench --only apply, JFR).
        // Values are the stored form (StoredDocument.toStored), taken as bytes: see TenantDocuments.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.DOCS),
                Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES))),
                APPLIER);
        // Each tenant's digest, kept as its documents change, so a consistency check costs one read. In memory and not
        // logged: no changelog record per write, and it starts empty with its task, whose restore it cannot see.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.DIGESTS),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.FENCES),
                Serdes.String(), new JsonSerde<>(Placement.class)), APPLIER);
        // Where versions before 2026-12-05 kept a partition's applied position: read, no longer written. The position
        // now rides in the metadata of each commit's offsets (AppliedPosition: a store record per task and commit made
        // every commit wait for one acks=all round trip per task).
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.POSITIONS),
                Serdes.Integer(), Serdes.Long()), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ApplierStores.CONTROLLER_EPOCHS), Serdes.Integer(), Serdes.Long())
                .withCachingEnabled(), APPLIER);
        // The ids accepted between two commits share one key (a bucket), so the cache sends them to the changelog as
        // one record; lookups read an index under the cache that a restore rebuilds (WriteIdsWindow). The window is
        // counted in WAL offsets. Only ids a retry can repeat, of tenants the region holds, are kept
        // (RegionApplierProcessor.remembersIdOf).
        topology.addStateStore(Stores.keyValueStoreBuilder(writeIds, Serdes.Long(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES))),
                APPLIER);
        // The ids an older version remembered, one changelog record each: read until their window has passed, never
        // written (an upgrade must not forget them: a client retry spanning it would be applied twice). Only where an
        // older version wrote them: an empty one would make every restart restore everything (LegacyWriteIds).
        if (legacyWriteIds) {
            topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(
                    ApplierStores.LEGACY_WRITE_IDS, Duration.ofMillis(idempotencyWindowRecords), Duration.ofMillis(1),
                    false), Serdes.String(), Serdes.String()), APPLIER);
        }
        // A sync's state and what it holds until the snapshot is merged (see TenantSyncs).
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.SYNCS),
                Serdes.String(), new JsonSerde<>(SyncState.class)), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.SYNC_PENDING),
                Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES))),
                APPLIER);
        // The snapshot goes to the tenant's WAL partition number, whatever the key's hash.
        topology.addSink(ApplierStores.SYNC_SINK, Topics.SYNC.name(), Topics.SYNC.keySerde().serializer(),
                Topics.SYNC.valueSerde().serializer(),
                (String topic, String key, SyncRecord value, int partitions) -> Optional.of(Set.of(value.partition())),
                APPLIER);
        topology.addSink(ApplierStores.CONFLICTS_SINK, Topics.CONFLICTS.name(),
                Topics.CONFLICTS.keySerde().serializer(), Topics.CONFLICTS.valueSerde().serializer(), APPLIER);
        topology.addSink(ApplierStores.DLQ_SINK, Topics.DLQ.name(), Topics.DLQ.keySerde().serializer(),
                Topics.DLQ.valueSerde().serializer(), APPLIER);
        return topology;
    }
}
