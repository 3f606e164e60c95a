package io.meridian.streams;

import io.meridian.infra.model.ConflictStats;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.internal.ConflictDedupeProcessor;
import io.meridian.streams.internal.LagProcessor;
import io.meridian.streams.internal.LatestViewProcessor;
import io.meridian.streams.internal.MonitorEvent;
import io.meridian.streams.internal.WalHead;
import io.meridian.streams.internal.WalHeadProcessor;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lag monitor and the conflict statistics, as a topology function ({@link ReplicationMonitor} runs it; tests
 * drive it with a {@code TopologyTestDriver}).
 *
 * <pre>
 *   meridian.wal (12 p, bytes) ─▶ wal-head ─(≤ 1 head update per partition per 500 ms)─┐
 *   meridian.heartbeats (3 p)  ─▶ parse ────(every heartbeat)───────────────────────────┤
 *                                                                                       ▼
 *              lag-monitor-events (repartition, 1 partition, one key) ─▶ lag (one task, stores)
 *                                                                                       │
 *   meridian.replication-lag (key region) ◀── on each heartbeat of a region + every 2 s ┘
 *
 *   meridian.conflicts (key tenant) ─▶ dedupe by position ─▶ by strategy ─▶ 1-min windows ─▶ count
 *                                                                          ─▶ meridian.conflict-stats
 * </pre>
 *
 * <p>The WAL (12 partitions) and the heartbeats (3) are not co-partitioned, and lag needs every WAL partition's head
 * next to every region's positions. The WAL is far too busy to repartition record by record, so each WAL task keeps
 * its partitions' heads itself (O(1) per record, no parsing) and forwards a compact head update at most once per
 * {@link #HEAD_FORWARD_INTERVAL}; those and the (rare) heartbeats meet, under one constant key, in a single-partition
 * repartition topic, read by one task for the whole application, wherever Streams places it.
 *
 * <p>Lag seconds are estimated from an offset → time index; see {@link io.meridian.streams.internal.LagCalculator}
 * for how and how precisely.
 */
public final class LagMonitorTopology {
    /** WAL partition → its {@link WalHead}, in the WAL tasks (binary values, written on every record, cached). */
    public static final String WAL_HEAD_STORE = "lag-monitor-wal-head";
    /** WAL partition → {@link WalHead}, as the lag task last heard. */
    public static final String HEADS_STORE = "lag-monitor-heads";
    /** {@code partition:offset} → record timestamp: the sparse time index of the WAL. */
    public static final String SAMPLES_STORE = "lag-monitor-samples";
    /** node id → the node's newest {@link Heartbeat}. */
    public static final String NODES_STORE = "lag-monitor-nodes";
    /** WAL position → seen, per conflict window: drops the other regions' reports of a conflict. */
    public static final String CONFLICT_SEEN_STORE = "conflict-stats-seen";
    /** strategy × window → distinct conflicts. */
    public static final String CONFLICT_COUNTS_STORE = "conflict-stats-counts";
    /** Global: region → newest {@link ReplicationLag} (see {@link #addViews}). */
    public static final String LAG_VIEW_STORE = "replication-lag-view";
    /** Global: strategy wire name → {@link ConflictStats} of its newest window (see {@link #addViews}). */
    public static final String CONFLICT_STATS_VIEW_STORE = "conflict-stats-view";

    /** The one key of the lag task's input. */
    public static final String MONITOR_KEY = "all";
    /** Name of the single-partition repartition topic ({@code <application.id>-lag-monitor-events-repartition}). */
    public static final String EVENTS_TOPIC = "lag-monitor-events";
    /** How often a WAL task forwards the heads of the partitions that moved (wall clock). */
    public static final Duration HEAD_FORWARD_INTERVAL = Duration.ofMillis(500);
    /** How often every known region's lag is emitted even without heartbeats (wall clock). */
    public static final Duration EMIT_INTERVAL = Duration.ofSeconds(2);
    /** One time sample per partition per this much record time: the precision of lag seconds. */
    public static final Duration SAMPLE_INTERVAL = Duration.ofMillis(100);
    /**
     * One of the time samples per partition per this much record time is persisted (see {@link LagProcessor}): the
     * precision of lag seconds right after the lag task is restored, until new samples come in.
     */
    public static final Duration PERSISTED_SAMPLE_SPACING = Duration.ofSeconds(1);
    /** Time samples kept per partition; beyond, old samples are thinned. */
    public static final int MAX_SAMPLES_PER_PARTITION = 2048;
    /** Conflict statistics window (tumbling, WAL record time). */
    public static final Duration CONFLICT_WINDOW = Duration.ofMinutes(1);
    /** How late (in WAL time) a first report of a conflict may come and still count in its window. */
    public static final Duration CONFLICT_GRACE = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitorTopology.class);

    private LagMonitorTopology() {
    }

    /** Adds the lag monitor and the conflict statistics to {@code builder} and builds it. */
    public static Topology build(StreamsBuilder builder) {
        addLagMonitor(builder);
        addConflictStats(builder);
        return builder.build();
    }

    private static void addLagMonitor(StreamsBuilder builder) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WAL_HEAD_STORE),
                Serdes.Integer(), WalHead.binarySerde()).withCachingEnabled());
        // Cached: a partition's head changes with every update and reaches the changelog once per commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(HEADS_STORE),
                Serdes.Integer(), WalHead.binarySerde()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SAMPLES_STORE),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(NODES_STORE),
                Serdes.String(), Topics.HEARTBEATS.valueSerde()));

        // WAL as bytes: nothing is parsed, so no record can stop the monitor.
        KStream<String, MonitorEvent> heads = builder
                .stream(Topics.WAL.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("lag-monitor-wal-source"))
                // Per WAL partition: head, totals, time samples; a compact update per partition per interval.
                .process(() -> new WalHeadProcessor(WAL_HEAD_STORE, MONITOR_KEY, SAMPLE_INTERVAL,
                        HEAD_FORWARD_INTERVAL), Named.as("lag-monitor-wal-head"), WAL_HEAD_STORE);

        KStream<String, MonitorEvent> heartbeats = builder
                .stream(Topics.HEARTBEATS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("lag-monitor-heartbeats-source"))
                // Parse (skipping what cannot be read) and move every heartbeat to the one key.
                .flatMap((node, bytes) -> parseHeartbeat(node, bytes), Named.as("lag-monitor-heartbeats-parse"));

        heads
                // Head updates and heartbeats together...
                .merge(heartbeats, Named.as("lag-monitor-merge"))
                // ...in one partition, so that a single task sees all of them.
                .repartition(Repartitioned.<String, MonitorEvent>as(EVENTS_TOPIC)
                        .withKeySerde(Serdes.String()).withValueSerde(MonitorEvent.SERDE).withNumberOfPartitions(1))
                // Lag per region: on each heartbeat and every EMIT_INTERVAL.
                .process(() -> new LagProcessor(HEADS_STORE, SAMPLES_STORE, NODES_STORE, MAX_SAMPLES_PER_PARTITION,
                        EMIT_INTERVAL, PERSISTED_SAMPLE_SPACING), Named.as("lag-monitor-lag"), HEADS_STORE,
                        SAMPLES_STORE, NODES_STORE)
                .to(Topics.REPLICATION_LAG.name(), Produced.with(Topics.REPLICATION_LAG.keySerde(),
                        Topics.REPLICATION_LAG.valueSerde()).withName("lag-monitor-sink"));
    }

    private static void addConflictStats(StreamsBuilder builder) {
        Duration retention = CONFLICT_WINDOW.plus(CONFLICT_GRACE);
        builder.addStateStore(Stores.windowStoreBuilder(Stores.inMemoryWindowStore(CONFLICT_SEEN_STORE, retention,
                CONFLICT_WINDOW, false), Serdes.String(), Serdes.Long()));

        builder.stream(Topics.CONFLICTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("conflict-stats-source"))
                // Each conflict once (every region reports it), keyed by strategy.
                .process(() -> new ConflictDedupeProcessor(CONFLICT_SEEN_STORE, CONFLICT_WINDOW),
                        Named.as("conflict-stats-dedupe"), CONFLICT_SEEN_STORE)
                // All conflicts of a strategy in one task.
                .groupByKey(Grouped.with("conflict-stats-by-strategy", Serdes.String(), Serdes.String()))
                // One-minute tumbling windows of WAL time.
                .windowedBy(TimeWindows.ofSizeAndGrace(CONFLICT_WINDOW, CONFLICT_GRACE))
                .count(Named.as("conflict-stats-count"),
                        Materialized.<String, Long>as(Stores.inMemoryWindowStore(CONFLICT_COUNTS_STORE, retention,
                                CONFLICT_WINDOW, false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream(Named.as("conflict-stats-changes"))
                .filter((window, count) -> count != null, Named.as("conflict-stats-no-tombstones"))
                // The window's count as ConflictStats, keyed by strategy.
                .map((window, count) -> KeyValue.pair(window.key(), new ConflictStats(
                        ConflictStrategy.fromWire(window.key()), window.window().start(), window.window().end(),
                        count)), Named.as("conflict-stats-to-record"))
                .to(Topics.CONFLICT_STATS.name(), Produced.with(Topics.CONFLICT_STATS.keySerde(),
                        Topics.CONFLICT_STATS.valueSerde()).withName("conflict-stats-sink"));
    }

    /**
     * Adds global stores over {@code meridian.replication-lag} ({@link #LAG_VIEW_STORE}: newest per region) and
     * {@code meridian.conflict-stats} ({@link #CONFLICT_STATS_VIEW_STORE}: newest window per strategy), so every node
     * can answer queries whichever node computes them. The listeners hear every value stored.
     */
    public static StreamsBuilder addViews(StreamsBuilder builder, Consumer<ReplicationLag> onLag,
            Consumer<ConflictStats> onConflictStats) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LAG_VIEW_STORE),
                        Serdes.String(), Topics.REPLICATION_LAG.valueSerde()).withLoggingDisabled(),
                Topics.REPLICATION_LAG.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("replication-lag-view-source"),
                () -> new LatestViewProcessor<>(LAG_VIEW_STORE, Topics.REPLICATION_LAG.name(),
                        Topics.REPLICATION_LAG.valueSerde().deserializer(), (current, next) -> true, onLag));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CONFLICT_STATS_VIEW_STORE),
                        Serdes.String(), Topics.CONFLICT_STATS.valueSerde()).withLoggingDisabled(),
                Topics.CONFLICT_STATS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("conflict-stats-view-source"),
                // A late update of an older window must not hide the newer one.
                () -> new LatestViewProcessor<>(CONFLICT_STATS_VIEW_STORE, Topics.CONFLICT_STATS.name(),
                        Topics.CONFLICT_STATS.valueSerde().deserializer(),
                        (current, next) -> next.windowStartMillis() >= current.windowStartMillis(), onConflictStats));
        return builder;
    }

    private static List<KeyValue<String, MonitorEvent>> parseHeartbeat(String node, byte[] bytes) {
        if (bytes == null) {
            return List.of();
        }
        try {
            return List.of(KeyValue.pair(MONITOR_KEY, new MonitorEvent.NodeReport(Json.read(bytes, Heartbeat.class))));
        } catch (IllegalArgumentException e) {
            LOG.warn("skipping unreadable heartbeat of node {}: {}", node, e.getMessage());
            return List.of();
        }
    }
}
