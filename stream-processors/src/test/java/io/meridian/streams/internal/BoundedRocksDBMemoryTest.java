package io.meridian.streams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

class BoundedRocksDBMemoryTest {

    @Test
    void shouldPutIndexFiltersAndMemtablesUnderTheSharedBudget() {
        try (Options options = new Options()) {
            options.setTableFormatConfig(new BlockBasedTableConfig());
            new BoundedRocksDBMemory().setConfig("docs", options, Map.of());

            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            assertTrue(table.cacheIndexAndFilterBlocks());
            assertTrue(table.cacheIndexAndFilterBlocksWithHighPriority());
            assertTrue(table.pinTopLevelIndexAndFilter());
            assertEquals(BoundedRocksDBMemory.WRITE_BUFFER_BYTES, options.writeBufferSize());
            assertEquals(BoundedRocksDBMemory.MAX_WRITE_BUFFERS, options.maxWriteBufferNumber());
        }
    }

    @Test
    void shouldServeManyStoresOfATopologyFromTheSharedCache() {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("put", PutProcessor::new, "in");
        for (int i = 0; i < 4; i++) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("store-" + i),
                    Serdes.String(), Serdes.String()).withLoggingDisabled(), "put");
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bounded-rocksdb-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDBMemory.class);
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(),
                    new StringSerializer());
            for (int n = 0; n < 100; n++) {
                in.pipeInput("k" + n, "v" + n);
            }
            for (int i = 0; i < 4; i++) {
                KeyValueStore<String, String> store = driver.getKeyValueStore("store-" + i);
                assertEquals("v99", store.get("k99"));
                assertEquals(100, countOf(store));
            }
        }
    }

    private static long countOf(KeyValueStore<String, String> store) {
        try (var all = store.all()) {
            long n = 0;
            while (all.hasNext()) {
                all.next();
                n++;
            }
            return n;
        }
    }

    /** Writes every record into each of the four stores. */
    private static final class PutProcessor implements Processor<String, String, Void, Void> {
        private final KeyValueStore<String, String>[] stores = newStores();

        @SuppressWarnings("unchecked")
        private static KeyValueStore<String, String>[] newStores() {
            return new KeyValueStore[4];
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            for (int i = 0; i < stores.length; i++) {
                stores[i] = context.getStateStore("store-" + i);
            }
        }

        @Override
        public void process(Record<String, String> record) {
            for (KeyValueStore<String, String> store : stores) {
                store.put(record.key(), record.value());
            }
        }
    }
}
