package io.meridian.streams.lag;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictStats;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.LagMonitorTopology;
import io.meridian.streams.internal.MonitorEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The lag monitor and conflict statistics (with the global views) under a {@link TopologyTestDriver}. The driver
 * runs one task per sub-topology and puts every record in partition 0, so WAL offsets are 0, 1, 2, ... in the order
 * piped. Wall-clock time starts at {@link #WALL_START} and moves only with {@link #advance}.
 */
final class LagMonitorDriver implements AutoCloseable {
    static final Instant WALL_START = Instant.parse("2025-01-01T00:00:00Z");
    static final String APPLICATION_ID = "meridian-lag-monitor-test";
    static final long WAL_START_MS = WALL_START.toEpochMilli() - 60_000;

    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> wal;
    private final TestInputTopic<String, Heartbeat> heartbeats;
    private final TestInputTopic<String, byte[]> rawHeartbeats;
    private final TestInputTopic<String, ConflictRecord> conflicts;
    private final TestInputTopic<String, byte[]> rawConflicts;
    private final TestOutputTopic<String, ReplicationLag> lags;
    private final TestOutputTopic<String, ConflictStats> conflictStats;
    /** Every lag record read so far, in order. */
    final List<KeyValue<String, ReplicationLag>> lagHistory = new ArrayList<>();
    final List<ReplicationLag> lagViewChanges = new ArrayList<>();
    private long walOffset;
    private long elapsed;

    LagMonitorDriver(Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        StreamsBuilder builder = LagMonitorTopology.addViews(new StreamsBuilder(), lagViewChanges::add, stats -> { });
        driver = new TopologyTestDriver(LagMonitorTopology.build(builder), props, WALL_START);
        wal = driver.createInputTopic(Topics.WAL.name(), new StringSerializer(), new ByteArraySerializer());
        heartbeats = driver.createInputTopic(Topics.HEARTBEATS.name(), Topics.HEARTBEATS.keySerde().serializer(),
                Topics.HEARTBEATS.valueSerde().serializer());
        rawHeartbeats = driver.createInputTopic(Topics.HEARTBEATS.name(), new StringSerializer(),
                new ByteArraySerializer());
        conflicts = driver.createInputTopic(Topics.CONFLICTS.name(), Topics.CONFLICTS.keySerde().serializer(),
                Topics.CONFLICTS.valueSerde().serializer());
        rawConflicts = driver.createInputTopic(Topics.CONFLICTS.name(), new StringSerializer(),
                new ByteArraySerializer());
        lags = driver.createOutputTopic(Topics.REPLICATION_LAG.name(), Topics.REPLICATION_LAG.keySerde().deserializer(),
                Topics.REPLICATION_LAG.valueSerde().deserializer());
        conflictStats = driver.createOutputTopic(Topics.CONFLICT_STATS.name(),
                Topics.CONFLICT_STATS.keySerde().deserializer(), Topics.CONFLICT_STATS.valueSerde().deserializer());
    }

    /** Pipes a WAL record of {@code key}/{@code value} bytes at WAL time {@code timestamp}; returns its offset. */
    long wal(String key, byte[] value, long timestamp) {
        wal.pipeInput(key, value, timestamp);
        return walOffset++;
    }

    /** Pipes {@code count} records, one per second of WAL time from {@code firstTimestamp}; returns the last offset. */
    long walRecords(int count, long firstTimestamp) {
        long offset = -1;
        for (int i = 0; i < count; i++) {
            offset = wal("acme", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), firstTimestamp + i * 1000L);
        }
        return offset;
    }

    void heartbeat(String node, String region, Map<Integer, Long> applied) {
        heartbeats.pipeInput(node, new Heartbeat(node, region, "http://" + node + ":8080", applied, Set.of(),
                wallMillis(), 1));
    }

    void rawHeartbeat(String node, byte[] value) {
        rawHeartbeats.pipeInput(node, value);
    }

    void conflict(String tenant, String position, ConflictStrategy strategy, String observedIn, long timestamp) {
        conflicts.pipeInput(tenant, new ConflictRecord(tenant, "k", position, 1, 2, "us-east", observedIn, strategy,
                ConflictRecord.Resolution.REJECTED, "stale epoch", timestamp), timestamp);
    }

    void rawConflict(String tenant, byte[] value) {
        rawConflicts.pipeInput(tenant, value);
    }

    /** Advances the wall clock (firing the punctuations that fall due) in steps of at most 100 ms. */
    void advance(Duration duration) {
        long left = duration.toMillis();
        while (left > 0) {
            long step = Math.min(100, left);
            driver.advanceWallClockTime(Duration.ofMillis(step));
            elapsed += step;
            left -= step;
        }
    }

    long wallMillis() {
        return WALL_START.toEpochMilli() + elapsed;
    }

    /** Head updates written to the lag task's repartition topic so far. */
    long headUpdatesForwarded() {
        String topic = APPLICATION_ID + "-" + LagMonitorTopology.EVENTS_TOPIC + "-repartition";
        TestOutputTopic<String, MonitorEvent> events = driver.createOutputTopic(topic, new StringDeserializer(),
                MonitorEvent.SERDE.deserializer());
        return events.readValuesToList().stream().filter(e -> e instanceof MonitorEvent.HeadUpdate).count();
    }

    /**
     * What a restore of {@code store} would read: its changelog, each key's last value (deleted keys left out), in
     * the order first written.
     */
    <K, V> Map<K, V> changelog(String store, Deserializer<K> keys, Deserializer<V> values) {
        TestOutputTopic<K, V> topic = driver.createOutputTopic(APPLICATION_ID + "-" + store + "-changelog", keys,
                values);
        Map<K, V> latest = new LinkedHashMap<>();
        for (KeyValue<K, V> kv : topic.readKeyValuesToList()) {
            if (kv.value == null) {
                latest.remove(kv.key);
            } else {
                latest.put(kv.key, kv.value);
            }
        }
        return latest;
    }

    /** The lag records emitted since the last call, in order. */
    List<KeyValue<String, ReplicationLag>> newLags() {
        List<KeyValue<String, ReplicationLag>> read = lags.readKeyValuesToList();
        lagHistory.addAll(read);
        return read;
    }

    /** The newest lag emitted for {@code region} (reading what is new). */
    ReplicationLag latestLag(String region) {
        newLags();
        ReplicationLag latest = null;
        for (KeyValue<String, ReplicationLag> kv : lagHistory) {
            if (kv.key.equals(region)) {
                latest = kv.value;
            }
        }
        if (latest == null) {
            throw new AssertionError("no lag emitted for " + region + "; emitted: " + lagHistory);
        }
        return latest;
    }

    /** Strategy → newest stats record on meridian.conflict-stats. */
    Map<String, ConflictStats> latestConflictStats() {
        Map<String, ConflictStats> latest = new LinkedHashMap<>();
        conflictStats.readKeyValuesToList().forEach(kv -> latest.put(kv.key, kv.value));
        return latest;
    }

    List<KeyValue<String, ConflictStats>> conflictStatsRecords() {
        return conflictStats.readKeyValuesToList();
    }

    KeyValueStore<String, ReplicationLag> lagView() {
        return driver.getKeyValueStore(LagMonitorTopology.LAG_VIEW_STORE);
    }

    KeyValueStore<String, ConflictStats> conflictStatsView() {
        return driver.getKeyValueStore(LagMonitorTopology.CONFLICT_STATS_VIEW_STORE);
    }

    @Override
    public void close() {
        driver.close();
    }
}
