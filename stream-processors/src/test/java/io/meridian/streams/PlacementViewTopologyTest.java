package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.EU_WEST;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.bytes;
import static io.meridian.streams.WalFixtures.placement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.topics.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The placement view keeps the newest placement per tenant and tells its listener about each real change. */
class PlacementViewTopologyTest {
    @TempDir
    Path stateDir;

    private final List<Placement> changes = new CopyOnWriteArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Placement> placements;
    private TestInputTopic<String, byte[]> rawPlacements;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "meridian-placement-view-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(PlacementViewTopology.build(new Topology(), changes::add), props);
        placements = driver.createInputTopic(Topics.PLACEMENTS.name(), Topics.PLACEMENTS.keySerde().serializer(),
                Topics.PLACEMENTS.valueSerde().serializer());
        rawPlacements = driver.createInputTopic(Topics.PLACEMENTS.name(), new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private Placement stored(String tenant) {
        KeyValueStore<String, Placement> store = driver.getKeyValueStore(PlacementViewTopology.PLACEMENTS_STORE);
        return store.get(tenant);
    }

    private void publish(Placement placement) {
        placements.pipeInput(placement.tenant(), placement);
    }

    @Test
    void shouldStoreFirstPlacementAndNotifyOnce() {
        Placement first = placement(ACME, 1, ConflictStrategy.LWW);

        publish(first);

        assertEquals(first, stored(ACME));
        assertEquals(List.of(first), changes);
    }

    @Test
    void shouldReplacePlacementWithNewerEpochAndNotifyOnce() {
        Placement first = placement(ACME, 1, ConflictStrategy.LWW);
        Placement switched = placement(ACME, EU_WEST, List.of(US_EAST, EU_WEST), 3, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);
        publish(first);

        publish(switched);

        assertEquals(switched, stored(ACME));
        assertEquals(List.of(first, switched), changes);
    }

    @Test
    void shouldIgnorePlacementWithOlderOrEqualEpochWithoutNotifying() {
        Placement epoch3 = placement(ACME, 3, ConflictStrategy.LWW);
        publish(epoch3);

        publish(placement(ACME, 2, ConflictStrategy.REJECT));                               // older
        publish(placement(ACME, 3, ConflictStrategy.MERGE).withWrites(WriteState.PAUSED, 3)); // equal, different
        publish(epoch3);                                                                      // replayed duplicate

        assertEquals(epoch3, stored(ACME));
        assertEquals(List.of(epoch3), changes);
    }

    @Test
    void shouldKeepTenantsApart() {
        Placement acme = placement(ACME, 5, ConflictStrategy.LWW);
        Placement globex = placement("globex", 1, ConflictStrategy.MERGE);

        publish(acme);
        publish(globex);

        assertEquals(acme, stored(ACME));
        assertEquals(globex, stored("globex"));
        assertEquals(List.of(acme, globex), changes);
    }

    @Test
    void shouldSkipUnreadablePlacementAndGoOn() {
        Placement epoch1 = placement(ACME, 1, ConflictStrategy.LWW);
        publish(epoch1);

        rawPlacements.pipeInput(ACME, bytes("not json"));
        rawPlacements.pipeInput(ACME, bytes("{\"tenant\":\"acme\",\"epoch\":2}"));   // missing fields
        rawPlacements.pipeInput(ACME, bytes("null"));                               // the JSON null literal
        rawPlacements.pipeInput(ACME, (byte[]) null);                               // a tombstone
        rawPlacements.pipeInput(null, bytes("{}"));                                 // no key

        assertEquals(epoch1, stored(ACME));
        assertEquals(List.of(epoch1), changes);

        Placement epoch2 = placement(ACME, 2, ConflictStrategy.LWW);
        publish(epoch2);
        assertEquals(epoch2, stored(ACME));
        assertEquals(List.of(epoch1, epoch2), changes);
    }

    @Test
    void shouldNotStoreUnreadableFirstPlacement() {
        rawPlacements.pipeInput(ACME, bytes("{\"tenant\":\"acme\",\"primary\":\"us-east\",\"replicas\":[\"eu-west\"],"
                + "\"epoch\":1,\"writes\":\"active\",\"strategy\":\"lww\",\"mode\":\"single-primary\"}"));

        assertNull(stored(ACME), "a primary outside the replicas is no placement");
        assertEquals(List.of(), changes);
    }
}
