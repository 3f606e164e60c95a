package io.meridian.streams;

import io.meridian.infra.model.Placement;
import io.meridian.infra.serde.JsonSerde;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.internal.RegionApplierProcessor;
import io.meridian.streams.internal.WriteIdsWindow;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The region applier: reads {@code meridian.wal} in log order, applies fences, decides every data record by the same
 * deterministic rules in every region, and materializes the documents of tenants replicated to its region.
 *
 * <pre>
 *   meridian.wal ──▶ applier ──┬─▶ tenant-docs, tenant-fences, applied-positions, controller-epochs,
 *   (bytes)                    │   write-ids-by-offset (stores, see {@link ApplierStores})
 *                              ├─▶ meridian.conflicts   (stale-epoch records and how they were resolved)
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

    static final String SOURCE = "wal-source";
    static final String APPLIER = "applier";

    private RegionApplierTopology() {
    }

    /** Adds the applier of {@code region} to {@code topology}; {@code listener} hears every decision. */
    public static Topology build(Topology topology, String region, int walPartitions, ApplyListener listener) {
        return build(topology, region, walPartitions, listener, IDEMPOTENCY_WINDOW_RECORDS);
    }

    /** As {@link #build(Topology, String, int, ApplyListener)} with another idempotency window (tests). */
    static Topology build(Topology topology, String region, int walPartitions, ApplyListener listener,
                          long idempotencyWindowRecords) {
        // Values are read as bytes so that a record that cannot be parsed goes to the DLQ instead of stopping the app.
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.WAL.name());
        topology.addProcessor(APPLIER, () -> new RegionApplierProcessor(region, walPartitions, listener,
                WriteIdsWindow.factory(idempotencyWindowRecords)), SOURCE);
        // Cached stores send a key's changelog record once per commit, however often it changed in between: the
        // position of a partition (written on every record) costs one record per commit, not one per write, and a
        // document overwritten within one commit interval one record. Restores and queries see the same values.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.DOCS),
                Serdes.String(), new JsonSerde<>(StoredDocument.class))
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES)))
                .withCachingEnabled(), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.FENCES),
                Serdes.String(), new JsonSerde<>(Placement.class)), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ApplierStores.POSITIONS),
                Serdes.Integer(), Serdes.Long()).withCachingEnabled(), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ApplierStores.CONTROLLER_EPOCHS), Serdes.Integer(), Serdes.Long())
                .withCachingEnabled(), APPLIER);
        // Window "times" are WAL offsets: retention and window are counted in records (see WriteIdsWindow). Only ids
        // a retry can repeat, of tenants the region holds, are kept (RegionApplierProcessor.remembersIdOf).
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(ApplierStores.WRITE_IDS,
                Duration.ofMillis(idempotencyWindowRecords), Duration.ofMillis(1), false), Serdes.String(),
                Serdes.String()), APPLIER);
        topology.addSink(ApplierStores.CONFLICTS_SINK, Topics.CONFLICTS.name(),
                Topics.CONFLICTS.keySerde().serializer(), Topics.CONFLICTS.valueSerde().serializer(), APPLIER);
        topology.addSink(ApplierStores.DLQ_SINK, Topics.DLQ.name(), Topics.DLQ.keySerde().serializer(),
                Topics.DLQ.valueSerde().serializer(), APPLIER);
        return topology;
    }
}
