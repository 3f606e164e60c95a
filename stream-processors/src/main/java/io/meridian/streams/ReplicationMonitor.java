package io.meridian.streams;

import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStats;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.WalStats;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.internal.WalSizeProbe;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication monitoring on every node: runs {@link LagMonitorTopology} in the Kafka Streams application
 * {@value #APPLICATION_ID}, which all nodes of all regions share (Streams spreads the WAL tasks over them and runs the
 * single-partition lag task on one), and holds {@code meridian.replication-lag} and {@code meridian.conflict-stats}
 * in global stores so that every node answers queries and exports the same gauges. It also polls the brokers for the
 * WAL's size on disk.
 *
 * <p>Meters (registered at construction, removed on close): {@code meridian.replication.lag.seconds{region}} (max
 * over partitions) and {@code meridian.replication.lag.entries{region}} (sum) for every configured region, NaN until
 * the region's lag is known, and for any other region once seen; {@code meridian.replication.entries} and
 * {@code meridian.replication.bytes}, function counters over the WAL totals (the same value on every node: aggregate
 * with {@code max}, not {@code sum}); {@code meridian.wal.size.bytes}, NaN until the first probe answered.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} any number of times. Queries are thread-safe and answer from
 * what the global stores hold: empty until they are queryable ({@link #isReady}).
 */
public final class ReplicationMonitor implements AutoCloseable {
    /** Shared by every node: one lag computation for the whole deployment. */
    public static final String APPLICATION_ID = "meridian-lag-monitor";
    /** How often the brokers are asked for the WAL's size. */
    public static final Duration WAL_SIZE_POLL_INTERVAL = Duration.ofSeconds(30);
    /** How long one question to the brokers may take. */
    public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationMonitor.class);

    private final String nodeId;
    private final Clock clock;
    private final MeterRegistry registry;
    private final KafkaStreams streams;
    private final Admin admin;
    private final WalSizeProbe probe;
    private final ScheduledExecutorService prober;
    private final AtomicReference<Map<Integer, Long>> lastEndOffsets = new AtomicReference<>(Map.of());
    private final AtomicReference<KafkaClusterHealth> clusterHealth = new AtomicReference<>();
    private final AtomicLong walRetentionMillis = new AtomicLong(-1);
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Set<String> regionsWithMeters = ConcurrentHashMap.newKeySet();
    private final Lifecycle lifecycle = new Lifecycle("replication monitor");

    public ReplicationMonitor(MeridianConfig config, MeterRegistry registry) {
        this(config, registry, Clock.systemUTC());
    }

    /** {@code clock} decides what "the last minute" of conflict statistics is. */
    public ReplicationMonitor(MeridianConfig config, MeterRegistry registry, Clock clock) {
        this.nodeId = config.nodeId();
        this.clock = clock;
        this.registry = registry;
        StreamsBuilder builder = new StreamsBuilder();
        LagMonitorTopology.addViews(builder, lag -> registerRegionMeters(lag.region()), stats -> { });
        this.streams = new KafkaStreams(LagMonitorTopology.build(builder), streamsProperties(config));
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("lag monitor thread failed; replacing it", error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((next, previous) -> LOG.info("lag monitor {} -> {}", previous, next));
        this.admin = Admin.create(adminProperties(config));
        this.probe = new WalSizeProbe(admin, Topics.WAL.name(), ADMIN_TIMEOUT);
        this.prober = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("meridian-wal-size-probe-" + nodeId));
        registerMeters(config);
    }

    static Properties streamsProperties(MeridianConfig config) {
        Properties props = new Properties();
        config.kafkaClientProperties().forEach((k, v) -> {
            if (!k.equals(ConsumerConfig.CLIENT_RACK_CONFIG)) {
                props.put(k, v);
            }
        });
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "meridian-" + config.nodeId() + "-monitor");
        // at_least_once: the monitor's outputs are gauges and counts recomputed all the time; after a crash the WAL
        // heads skip what they counted already (offset check), and a lag record emitted twice is just emitted. Not
        // worth exactly_once_v2's transactions (a third of the throughput, measured) on a second read of the WAL.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // The appliers read committed records only (exactly_once_v2); so must the head, or an aborted or still open
        // transaction would count as lag that no region can ever apply.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
                IsolationLevel.READ_COMMITTED.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 2_000);
        // The monitor's second read of the WAL needs no hurry (heads are forwarded every 500 ms): large, lazy fetches
        // cost the brokers a fetch per 256 KiB or per 500 ms instead of one per write.
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 256 * 1024);
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 500);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve(config.nodeId() + "-monitor").toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), config.minInsyncReplicas());
        // Fetch from the replica in our own region (brokers carry broker.rack = region).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.CLIENT_RACK_CONFIG), config.region());
        // As the applier's (RegionStreams): static membership, left on close, and a 10 s session instead of 45 s, or
        // every restart waits out the previous run's members before the lag view runs again.
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.nodeId() + "-monitor");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return props;
    }

    private static Map<String, Object> adminProperties(MeridianConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "meridian-" + config.nodeId() + "-wal-probe");
        return props;
    }

    public void start() {
        lifecycle.beginStart();
        streams.start();
        prober.scheduleWithFixedDelay(this::probeWalSize, 0, WAL_SIZE_POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        lifecycle.started();
    }

    /** Running: the global stores are restored and queryable. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Region → its newest lag, sorted by region; empty until known, and while the monitor is not queryable (starting,
     * rebalancing): every reader takes a missing lag for unknown.
     */
    public Map<String, ReplicationLag> lagByRegion() {
        try {
            return query(LagMonitorTopology.LAG_VIEW_STORE,
                    (ReadOnlyKeyValueStore<String, ReplicationLag> store) -> StoreQueries.all(store)).orElse(Map.of());
        } catch (NotReadyException e) {
            return Map.of();
        }
    }

    public Optional<ReplicationLag> lag(String region) {
        return query(LagMonitorTopology.LAG_VIEW_STORE,
                (ReadOnlyKeyValueStore<String, ReplicationLag> store) -> store.get(region));
    }

    /** The WAL totals of the most recent lag record (the largest count), empty until one is known. */
    public Optional<WalStats> walStats() {
        return lagByRegion().values().stream().map(ReplicationLag::wal)
                .max(Comparator.comparingLong(WalStats::entries).thenComparingLong(WalStats::lastRecordMillis));
    }

    /**
     * Strategy wire name → conflicts (each counted once across regions) in that strategy's newest one-minute window,
     * if the window ended less than a minute ago by this node's clock (so it is the current or the previous minute),
     * else 0. Every strategy is present.
     */
    public Map<String, Long> conflictsLastMinuteByStrategy() {
        long oldestEnd = clock.millis() - LagMonitorTopology.CONFLICT_WINDOW.toMillis();
        Map<String, ConflictStats> newest = query(LagMonitorTopology.CONFLICT_STATS_VIEW_STORE,
                (ReadOnlyKeyValueStore<String, ConflictStats> store) -> StoreQueries.all(store)).orElse(Map.of());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ConflictStrategy strategy : ConflictStrategy.values()) {
            ConflictStats stats = newest.get(strategy.wireName());
            counts.put(strategy.wireName(), stats != null && stats.windowEndMillis() > oldestEnd ? stats.count() : 0L);
        }
        return Collections.unmodifiableMap(counts);
    }

    /** meridian.wal's size on the brokers' disks (one replica of each partition), {@code -1} until known. */
    public long walSizeBytes() {
        return probe.lastSize();
    }

    /**
     * Partition → end offset of meridian.wal (the offset its next record will get), asked of the brokers now; when
     * they do not answer in time, the last answer (empty before the first).
     */
    public Map<Integer, Long> walEndOffsets() {
        try {
            Map<Integer, Long> offsets = Collections.unmodifiableMap(probe.endOffsets());
            lastEndOffsets.set(offsets);
            return offsets;
        } catch (IllegalStateException e) {
            LOG.warn("WAL end offsets unavailable, answering the last known: {}", e.getMessage());
            return lastEndOffsets.get();
        }
    }

    /**
     * The brokers' health over Meridian's topics as last asked (every {@link #WAL_SIZE_POLL_INTERVAL}), empty before
     * the first answer. When the brokers stop answering, the last answer stays (its {@code atMillis} ages).
     */
    public Optional<KafkaClusterHealth> clusterHealth() {
        return Optional.ofNullable(clusterHealth.get());
    }

    /** meridian.wal's {@code retention.ms} as the brokers last said; -1 while unknown or unlimited. */
    public long walRetentionMillis() {
        return walRetentionMillis.get();
    }

    private void probeWalSize() {
        try {
            probe.pollSize();
        } catch (RuntimeException e) {
            // The executor would stop rescheduling after an exception: log and try again next time.
            LOG.warn("WAL size probe failed: {}", e.getMessage());
        }
        try {
            probeCluster();
        } catch (RuntimeException e) {
            LOG.warn("Kafka cluster health probe failed: {}", e.getMessage());
        }
    }

    /** Three cheap metadata requests: the live brokers, Meridian's topics, meridian.wal's config. */
    private void probeCluster() {
        java.util.Collection<Node> live = await(admin.describeCluster().nodes(), "the live brokers");
        List<String> names = Topics.ALL.stream().map(t -> t.name()).toList();
        // Topics that do not exist (yet) are left out rather than failing the whole answer.
        List<TopicDescription> topics = new java.util.ArrayList<>();
        admin.describeTopics(names).topicNameValues().forEach((name, future) -> {
            try {
                topics.add(await(future, name));
            } catch (IllegalStateException e) {
                LOG.debug("cluster health: {} not described: {}", name, e.getMessage());
            }
        });
        KafkaClusterHealth health = KafkaClusterHealth.of(clock.millis(), live, topics);
        KafkaClusterHealth before = clusterHealth.getAndSet(health);
        if (before == null || !before.offlineBrokers().equals(health.offlineBrokers())
                || before.healthy() != health.healthy()) {
            LOG.info("Kafka cluster health: online brokers {} offline brokers {} under-replicated partitions {}"
                            + " offline partitions {}", health.onlineBrokers(), health.offlineBrokers(),
                    health.underReplicatedPartitions(), health.offlinePartitions());
        }
        ConfigResource wal = new ConfigResource(ConfigResource.Type.TOPIC, Topics.WAL.name());
        Config config = await(admin.describeConfigs(List.of(wal)).all(), "meridian.wal's config").get(wal);
        ConfigEntry retention = config == null ? null : config.get(TopicConfig.RETENTION_MS_CONFIG);
        long millis = retention == null || retention.value() == null ? -1 : Long.parseLong(retention.value());
        walRetentionMillis.set(millis < 0 ? -1 : millis);
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the brokers for " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the brokers could not tell " + what + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the brokers did not tell " + what + " within " + ADMIN_TIMEOUT, e);
        }
    }

    private void registerMeters(MeridianConfig config) {
        config.regionUrls().keySet().forEach(this::registerRegionMeters);
        meters.add(FunctionCounter.builder(MetricNames.REPLICATION_ENTRIES, this,
                        m -> m.walStats().map(s -> (double) s.entries()).orElse(Double.NaN))
                .description("WAL entries appended (all regions see the same log)").register(registry));
        meters.add(FunctionCounter.builder(MetricNames.REPLICATION_BYTES, this,
                        m -> m.walStats().map(s -> (double) s.bytes()).orElse(Double.NaN))
                .description("WAL bytes appended (record keys and values)").baseUnit(BaseUnits.BYTES)
                .register(registry));
        meters.add(Gauge.builder(MetricNames.WAL_SIZE_BYTES, this,
                        m -> m.walSizeBytes() < 0 ? Double.NaN : m.walSizeBytes())
                .description("Size of meridian.wal on the brokers' disks, one replica of each partition")
                .baseUnit(BaseUnits.BYTES).register(registry));
        meters.add(Gauge.builder(MetricNames.WAL_RETENTION_SECONDS, this,
                        m -> m.walRetentionMillis() < 0 ? Double.NaN : m.walRetentionMillis() / 1000.0)
                .description("meridian.wal's retention.ms in seconds (NaN: unknown or unlimited)").register(registry));
        meters.add(Gauge.builder(MetricNames.KAFKA_BROKERS_ONLINE, this,
                        m -> m.clusterHealth().map(h -> (double) h.onlineBrokers().size()).orElse(Double.NaN))
                .description("Brokers the cluster metadata lists as alive").register(registry));
        meters.add(Gauge.builder(MetricNames.KAFKA_BROKERS_OFFLINE, this,
                        m -> m.clusterHealth().map(h -> (double) h.offlineBrokers().size()).orElse(Double.NaN))
                .description("Brokers holding replicas of Meridian topics that are not alive").register(registry));
        meters.add(Gauge.builder(MetricNames.KAFKA_PARTITIONS_UNDER_REPLICATED, this,
                        m -> m.clusterHealth().map(h -> (double) h.underReplicatedPartitions()).orElse(Double.NaN))
                .description("Meridian topic partitions whose ISR is smaller than their replicas").register(registry));
        meters.add(Gauge.builder(MetricNames.KAFKA_PARTITIONS_OFFLINE, this,
                        m -> m.clusterHealth().map(h -> (double) h.offlinePartitions()).orElse(Double.NaN))
                .description("Meridian topic partitions without a leader").register(registry));
    }

    private void registerRegionMeters(String region) {
        if (lifecycle.isClosing() || !regionsWithMeters.add(region)) {
            return;
        }
        meters.add(Gauge.builder(MetricNames.REPLICATION_LAG_SECONDS, this,
                        m -> m.lagValue(region, ReplicationLag::maxLagSeconds))
                .description("How far behind the WAL head the region's applier is, in WAL time (max over partitions)")
                .tag(MetricNames.TAG_REGION, region).register(registry));
        meters.add(Gauge.builder(MetricNames.REPLICATION_LAG_ENTRIES, this,
                        m -> m.lagValue(region, lag -> (double) lag.totalLagEntries()))
                .description("WAL entries the region has yet to apply (sum over partitions)")
                .tag(MetricNames.TAG_REGION, region).register(registry));
    }

    private double lagValue(String region, Function<ReplicationLag, Double> value) {
        return lag(region).map(value).orElse(Double.NaN);
    }

    /** Runs {@code query} on a global store; empty while the store is not queryable. */
    private <V, R> Optional<R> query(String name, Function<ReadOnlyKeyValueStore<String, V>, R> query) {
        try {
            return StoreQueries.query(streams, name, query);
        } catch (NotReadyException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (lifecycle.beginClose()) {
            prober.shutdownNow();
            streams.close(RegionStreams.CLOSE_LEAVING_GROUP);
            // After the streams: the global thread registers the meters of newly seen regions.
            meters.forEach(registry::remove);
            admin.close(Duration.ofSeconds(5));
            lifecycle.closed();
        }
    }
}
