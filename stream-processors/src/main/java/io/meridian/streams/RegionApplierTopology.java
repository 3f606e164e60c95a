package io.meridian.streams;

import io.meridian.infra.model.Placement;
import io.meridian.infra.serde.JsonSerde;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.internal.RegionApplierProcessor;
import java.time.Duration;
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
 *   meridian.wal ──▶ applier ──┬─▶ tenant-docs, tenant-fences, applied-positions, write-ids (stores)
 *   (bytes)                    ├─▶ meridian.conflicts   (stale-epoch records and how they were resolved)
 *                              └─▶ meridian.dlq         (records that cannot be read)
 * </pre>
 */
public final class RegionApplierTopology {
    /** tenant + "/" + key → {@link StoredDocument}. Neither tenant ids nor keys contain '/'. */
    public static final String DOCS_STORE = "tenant-docs";
    /** tenant → the {@link Placement} of the latest fence. */
    public static final String FENCES_STORE = "tenant-fences";
    /** WAL partition → last offset processed. */
    public static final String POSITIONS_STORE = "applied-positions";
    /** tenant + "/" + writeId → position of the accepted write, windowed by record time. */
    public static final String WRITE_IDS_STORE = "write-ids";
    /**
     * How long (in record time) a write id is remembered: a retry with the same Idempotency-Key within it is answered
     * with the first write's outcome and not applied again. A constant, not a setting: every region must decide the
     * same way.
     */
    public static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(1);

    static final String SOURCE = "wal-source";
    static final String APPLIER = "applier";
    public static final String CONFLICTS_SINK = "conflicts-sink";
    public static final String DLQ_SINK = "dlq-sink";

    private RegionApplierTopology() {
    }

    /** Adds the applier of {@code region} to {@code topology}; {@code listener} hears every decision. */
    public static Topology build(Topology topology, String region, ApplyListener listener) {
        // Values are read as bytes so that a record that cannot be parsed goes to the DLQ instead of stopping the app.
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), Topics.WAL.name());
        topology.addProcessor(APPLIER, () -> new RegionApplierProcessor(region, listener), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DOCS_STORE),
                Serdes.String(), new JsonSerde<>(StoredDocument.class)), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FENCES_STORE),
                Serdes.String(), new JsonSerde<>(Placement.class)), APPLIER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POSITIONS_STORE),
                Serdes.Integer(), Serdes.Long()), APPLIER);
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(WRITE_IDS_STORE,
                IDEMPOTENCY_WINDOW, Duration.ofMillis(1), false), Serdes.String(), Serdes.String()), APPLIER);
        topology.addSink(CONFLICTS_SINK, Topics.CONFLICTS.name(), Topics.CONFLICTS.keySerde().serializer(),
                Topics.CONFLICTS.valueSerde().serializer(), APPLIER);
        topology.addSink(DLQ_SINK, Topics.DLQ.name(), Topics.DLQ.keySerde().serializer(),
                Topics.DLQ.valueSerde().serializer(), APPLIER);
        return topology;
    }

    public static String docKey(String tenant, String key) {
        return tenant + "/" + key;
    }
}
