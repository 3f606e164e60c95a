package io.meridian.streams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.ApplierStores;
import io.meridian.streams.ApplyListener;
import io.meridian.streams.ApplyOutcome;
import io.meridian.infra.model.Position;
import io.meridian.infra.serde.JsonSerde;
import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * When Streams resets an applier to the earliest offset because its committed one was deleted, the first record it
 * processes is not the one after its restored position: the applier tells the retention guard. Driven record by
 * record with explicit offsets, which a {@code TopologyTestDriver} cannot skip.
 */
class RegionApplierGapTest {
    private static final int PARTITION = 3;

    private record Gap(int partition, long lastApplied, long firstProcessed) {
    }

    private final List<Gap> gaps = new CopyOnWriteArrayList<>();
    private final ApplyListener listener = new ApplyListener() {
        @Override
        public void onDecided(ApplyOutcome outcome) {
        }

        @Override
        public void onApplied(Position position) {
        }

        @Override
        public void onGap(int partition, long lastApplied, long firstProcessed) {
            gaps.add(new Gap(partition, lastApplied, firstProcessed));
        }
    };

    @Test
    void shouldReportAGapWhenTheFirstRecordAfterARestartIsNotTheNextOne() throws Exception {
        File dir = Files.createTempDirectory("meridian-gap").toFile();
        MockProcessorContext<String, Object> context = context(dir);
        process(context, 0);
        process(context, 1);

        // Restarted on the same stores: the positions store says 1; Streams resumes at 9 (2..8 deleted).
        RegionApplierProcessor restarted = processor(context);
        context.setRecordMetadata(Topics.WAL.name(), PARTITION, 9);
        restarted.process(new Record<>("acme", bytes(fence(2)), 0));
        context.setRecordMetadata(Topics.WAL.name(), PARTITION, 10);
        restarted.process(new Record<>("acme", bytes(fence(3)), 0));

        assertEquals(List.of(new Gap(PARTITION, 1, 9)), gaps, "one report, for the first record only");
    }

    @Test
    void shouldReportAGapOfAFreshRegionThatStartsPastOffsetZeroAndNoneWhenItStartsAtTheBeginning() throws Exception {
        MockProcessorContext<String, Object> fresh = context(Files.createTempDirectory("meridian-gap").toFile());
        RegionApplierProcessor processor = processor(fresh);
        fresh.setRecordMetadata(Topics.WAL.name(), PARTITION, 0);
        processor.process(new Record<>("acme", bytes(fence(1)), 0));
        assertEquals(List.of(), gaps);

        MockProcessorContext<String, Object> late = context(Files.createTempDirectory("meridian-gap").toFile());
        RegionApplierProcessor lateProcessor = processor(late);
        late.setRecordMetadata(Topics.WAL.name(), PARTITION, 500);
        lateProcessor.process(new Record<>("acme", bytes(fence(1)), 0));
        assertEquals(List.of(new Gap(PARTITION, -1, 500)), gaps);
    }

    private void process(MockProcessorContext<String, Object> context, long offset) {
        RegionApplierProcessor processor = processor(context);
        context.setRecordMetadata(Topics.WAL.name(), PARTITION, offset);
        processor.process(new Record<>("acme", bytes(fence(offset + 1)), 0));
    }

    private RegionApplierProcessor processor(MockProcessorContext<String, Object> context) {
        RegionApplierProcessor processor = new RegionApplierProcessor("us-east", 12, listener,
                WriteIdsWindow.factory(1_000), new CommitFlush());
        processor.init(context);
        return processor;
    }

    private static MockProcessorContext<String, Object> context(File stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "gap-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<String, Object> context = new MockProcessorContext<>(props, new TaskId(0, PARTITION),
                stateDir);
        List<StateStore> stores = List.of(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.DOCS), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled().build(),
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.FENCES), Serdes.String(),
                        new JsonSerde<>(Placement.class)).withLoggingDisabled().build(),
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.POSITIONS), Serdes.Integer(),
                        Serdes.Long()).withLoggingDisabled().build(),
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.CONTROLLER_EPOCHS),
                        Serdes.Integer(), Serdes.Long()).withLoggingDisabled().build(),
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.SYNCS), Serdes.String(),
                        new JsonSerde<>(SyncState.class)).withLoggingDisabled().build(),
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ApplierStores.SYNC_PENDING), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled().build());
        // No write-id window: window stores need Streams internals, and these tests pipe fences only.
        for (StateStore store : stores) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        return context;
    }

    private static WalRecord.Fence fence(long epoch) {
        Placement placement = new Placement("acme", "us-east", List.of("us-east"), epoch, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
        return new WalRecord.Fence("acme", placement, 1, "test", 0);
    }

    private static byte[] bytes(WalRecord record) {
        return Topics.WAL.valueSerde().serializer().serialize(Topics.WAL.name(), record);
    }
}
