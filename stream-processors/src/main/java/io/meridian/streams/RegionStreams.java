package io.meridian.streams;

import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.Placement;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.streams.internal.BoundedRocksDBMemory;
import io.meridian.streams.internal.HeldWalConsumers;
import io.meridian.streams.internal.LegacyWriteIds;
import io.meridian.streams.internal.StoreRestoreLog;
import io.meridian.streams.internal.TenantDocuments;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams app of one region node: the region applier (exactly-once, {@code application.id} per region, so
 * nodes of one region split the WAL partitions) and the placement view (a global store every node holds whole).
 * Lifecycle: {@link #start} once, {@link #close} any number of times. Queries are thread-safe and throw
 * {@link NotReadyException} while the stores are not queryable (starting, rebalancing).
 */
public final class RegionStreams implements AutoCloseable {
    /** The applier producer's linger (see {@link #streamsProperties}); the apply bench gives its apps the same. */
    public static final int PRODUCER_LINGER_MS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(RegionStreams.class);
    /** A static member does not leave on close by itself: it is removed, so its partitions move on at once. */
    static final KafkaStreams.CloseOptions CLOSE_LEAVING_GROUP =
            new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true);

    /** Present while the applier is not running: written by a clean close, removed when the next start begins. */
    static final String CLEAN_CLOSE_MARK = "applier-closed-cleanly";

    private final KafkaStreams streams;
    private final Path cleanCloseMark;
    private final String endpoint;
    private final int walPartitions;
    private final KafkaStreamsMetrics metrics;
    private final SyncTracker syncs;
    private final List<Consumer<Placement>> placementListeners = new CopyOnWriteArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle("region streams");
    private volatile boolean applierPauseWanted;

    public RegionStreams(MeridianConfig config, ApplyListener listener, MeterRegistry registry) {
        Topology topology = new Topology();
        this.syncs = new SyncTracker(config.region(), registry, java.time.Clock.systemUTC());
        RegionApplierTopology.build(topology, config.region(), config.walPartitions(),
                ApplyListener.all(listener, syncs),
                LegacyWriteIds.everWritten(config.kafkaClientProperties(), applicationId(config.region())));
        PlacementViewTopology.build(topology, this::placementChanged);
        Path nodeState = config.stateDir().resolve(config.nodeId());
        this.cleanCloseMark = nodeState.resolve(CLEAN_CLOSE_MARK);
        discardGlobalStoreAfterCrash(nodeState.resolve(applicationId(config.region())).resolve("global"),
                cleanCloseMark);
        this.streams = new KafkaStreams(topology, streamsProperties(config),
                new HeldWalConsumers(() -> applierPauseWanted));
        this.endpoint = config.nodeEndpoint();
        this.walPartitions = config.walPartitions();
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("region applier thread failed; replacing it", error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((next, previous) -> {
            LOG.info("region applier {} -> {}", previous, next);
            if (next == KafkaStreams.State.RUNNING && applierPauseWanted && !streams.isPaused()) {
                // A node that started paused: its WAL consumer fetched nothing so far (HeldWalConsumers).
                streams.pause();
                LOG.info("region applier paused: the region's replication is paused (stores restored)");
            }
        });
        streams.setGlobalStateRestoreListener(new StoreRestoreLog(registry, StoreRestoreLog.storesOf(topology)));
        this.metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        for (String region : config.regionUrls().keySet()) {
            Gauge.builder(MetricNames.TENANTS, this, s -> s.tenantsWithPrimary(region))
                    .description("Tenants whose primary is the region, from this node's placement view")
                    .tag(MetricNames.TAG_REGION, region)
                    .register(registry);
        }
    }

    /**
     * Deletes the placement view's global store unless the applier closed cleanly last time. Under exactly-once, Kafka
     * Streams 4.4 refuses to reopen a RocksDB store that a crash left open, and for a global store that is fatal: the
     * global thread dies with {@code TaskCorruptedException} without wiping the store (KAFKA-21034, not fixed in
     * 4.4.0), so after a {@code kill -9} every later start of the node failed the same way ({@code bench scale}).
     * Tasks' stores need nothing: Streams wipes and restores those itself. The view rebuilds from
     * {@code meridian.placements}.
     */
    static void discardGlobalStoreAfterCrash(Path globalStore, Path cleanCloseMark) {
        try {
            boolean clean = Files.deleteIfExists(cleanCloseMark);
            if (!clean && Files.isDirectory(globalStore)) {
                LOG.warn("the applier did not close cleanly last time: deleting its global store {} (the placement"
                        + " view), which it rebuilds from {}", globalStore, Topics.PLACEMENTS.name());
                try (Stream<Path> paths = Files.walk(globalStore)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the applier's state in " + globalStore.getParent(), e);
        }
    }

    /** Every region's applier is its own Streams application (consumer group, changelogs) of this id. */
    public static final String APPLICATION_ID_PREFIX = "meridian-applier-";

    public static String applicationId(String region) {
        return APPLICATION_ID_PREFIX + region;
    }

    /** The applier's Kafka Streams configuration for a node of {@code config} (public for the fault harness's budgets). */
    public static Properties streamsProperties(MeridianConfig config) {
        Properties props = new Properties();
        config.kafkaClientProperties().forEach((k, v) -> {
            if (!k.equals(ConsumerConfig.CLIENT_RACK_CONFIG)) {
                props.put(k, v);
            }
        });
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(config.region()));
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "meridian-" + config.nodeId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.streamsCommitIntervalMs());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamsNumThreads());
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, RegionApplierTopology.MAX_TASK_IDLE_MS);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve(config.nodeId()).toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), config.minInsyncReplicas());
        // Fetch from the replica in our own region (brokers carry broker.rack = region).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.CLIENT_RACK_CONFIG), config.region());
        // Streams' EOS linger (100 ms), kept on purpose: a write is answered when its record is processed, not when the
        // changelog has it, and each commit's flush sends whatever lingers. A 5 ms linger sent about one produce
        // request per write from each region's applier, and every produce request wakes the followers' fetches of all
        // the partitions their leader holds (bench --only write: ~5 ms of broker CPU per write).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), PRODUCER_LINGER_MS);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                RegionApplierTopology.MAX_RECORD_BYTES);
        // A broker kill -9 under load stopped every region's applier for ~60 s: the rebalance it caused blocked in the
        // group leader's assignor, which fetches changelog end offsets through Streams' admin client
        // (ClientUtils.getEndOffsets) and waited there for the admin's default.api.timeout.ms (60 s) while the dead
        // broker still led partitions (jstack of all three nodes, 7 s and 16 s after the kill; bin/meridian chaos
        // --faults broker-kill). The assignor treats a timeout there as not fatal (StreamsPartitionAssignor
        // .populateClientStatesMap: it assigns without task lags), so bounding the admin call to 5 s bounds the stall;
        // by then the controller has fenced the dead broker (broker.session.timeout.ms 3 s) and moved its leaderships.
        props.put(StreamsConfig.adminClientPrefix(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG), 5_000);
        // One admin request may not outlast the call that contains it.
        props.put(StreamsConfig.adminClientPrefix(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG), 4_000);
        // A node restarted after kill -9 joins the group at once but its applier stays REBALANCING until the coordinator
        // drops the dead member, after the consumer's session timeout: 45 s by default (chaos node-kill seed 1: killed
        // 21:18:39.4, rejoined 21:18:51.6, dead member "has failed" 21:19:23.0, RUNNING 21:19:24.6). 10 s (the pre-3.0
        // default; heartbeats come from a background thread every 3 s) bounds it.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        // Static membership (node ids are unique): a node restarted after a crash takes its old member's place at
        // once instead of waiting that session timeout out, and close() leaves the group (CLOSE_LEAVING_GROUP), so a
        // clean restart finds no member to wait for either. 'meridian local' restarts spent 10 s here.
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.nodeId());
        // After a crash the placement view restores its partitions one after the other, and each took ~500 ms for a
        // handful of records (restart-loop, the starts after kill -9: 12 partitions, 6 s before the applier could join):
        // the global consumer's last fetch of each, past the end of what it restores, waits out fetch.max.wait.ms.
        // The same wait paces its idle fetches afterwards (up to 20 a second to each broker leading a placements
        // partition, from every node): a cost the restart budget of 30 s is worth.
        props.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        // One off-heap budget for all the applier's RocksDB stores (~60 instances) instead of one cache each.
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDBMemory.class);
        // Routers find the node that owns a tenant's WAL partition through Streams' metadata: this is how it names us.
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.nodeEndpoint());
        // Warm copies on the region's other nodes: when a node leaves, its partitions' new owners restore only a tail.
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.streamsNumStandbyReplicas());
        // A node joining a region with much state first warms its share up; it takes it over at the next probing
        // rebalance: every minute (the least Streams allows) rather than every 10.
        props.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, 60_000L);
        return props;
    }

    public void start() {
        lifecycle.beginStart();
        streams.start();
        lifecycle.started();
    }

    /** Running: the placement view is restored and the applier's stores are queryable. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Stops the region applier from applying the WAL (region pause, maintenance); the placement view goes on. Two
     * holds, both for as long as the pause lasts:
     * <ul>
     *   <li>{@link KafkaStreams#pause()} (KIP-834), once the instance is {@code RUNNING}: paused tasks neither process
     *   nor punctuate, at once, even records already fetched; the stream threads keep polling and committing, so
     *   the node keeps its group membership and partitions (no rebalance, no {@code max.poll.interval.ms} expiry)
     *   and what was applied before the pause is committed by the next EOS transaction as usual;</li>
     *   <li>the WAL consumer fetches nothing ({@link HeldWalConsumers}), from the start: a node that starts while its
     *   region is paused restores its stores (reads go on) and applies nothing, which {@code pause()} alone cannot
     *   give (see there).</li>
     * </ul>
     * The placement view is a global store: its thread does not pause. A pause is this JVM's state only (the
     * operator's intent lives in {@code meridian.regions}). Idempotent.
     */
    public void pauseApplier() {
        applierPauseWanted = true;
        if (streams.state() == KafkaStreams.State.RUNNING && !streams.isPaused()) {
            streams.pause();
            LOG.info("region applier paused");
        }
    }

    /** Lets the applier go on from where it stopped; it catches up with the WAL at its own speed. Idempotent. */
    public void resumeApplier() {
        applierPauseWanted = false;
        if (streams.isPaused()) {
            streams.resume();
            LOG.info("region applier resumed");
        }
    }

    /** Whether the applier is paused (or will pause once its stores are restored). */
    public boolean isApplierPaused() {
        return applierPauseWanted;
    }

    /**
     * The document as this node's applier holds it. Only the tenant's own WAL partition is asked: on a node that does
     * not own it (a region of several nodes) this throws {@link NotReadyException} rather than answer "absent".
     */
    public Optional<StoredDocument> document(String tenant, String key) {
        return StoreQueries.query(streams, ApplierStores.DOCS, WalPartitioner.partitionOf(tenant, walPartitions),
                (ReadOnlyKeyValueStore<String, byte[]> docs) -> docs.get(ApplierStores.docKey(tenant, key)))
                .map(StoredDocument::fromStored);
    }

    /** This region's syncs (full sync, re-seed) as its applier reported them. */
    public SyncTracker syncs() {
        return syncs;
    }

    /**
     * The digest of this region's copy of {@code tenant} ({@link TenantDigest}): documents, bytes and digest (0
     * documents when the store holds none of it). The applier's kept digest when it has one, else a scan.
     */
    public Optional<Map<String, Object>> digest(String tenant) {
        TenantDigest digest = StoreQueries.query(streams, ApplierStores.DIGESTS,
                        (ReadOnlyKeyValueStore<String, byte[]> kept) -> kept.get(tenant)).map(TenantDigest::fromBytes)
                .orElseGet(() -> StoreQueries.query(streams, ApplierStores.DOCS,
                        (ReadOnlyKeyValueStore<String, byte[]> docs) -> TenantDocuments.scanDigest(
                                docs.prefixScan(tenant + "/", new StringSerializer()))).orElseThrow());
        return Optional.of(Map.of("documents", digest.documents(), "bytes", digest.bytes(), "digest", digest.value()));
    }

    /**
     * As {@link #digest}, but read from the tenant's own WAL partition only (a node that does not own it throws
     * {@link NotReadyException} rather than answer "empty"), and with each document's digest and position when
     * {@code withKeys}: what the consistency check compares. Without keys it is the applier's kept digest when it has
     * one; a scan reads the store through one iterator, a consistent snapshot of it.
     */
    public TenantDigest.Snapshot digestSnapshot(String tenant, boolean withKeys) {
        int partition = WalPartitioner.partitionOf(tenant, walPartitions);
        if (!withKeys) {
            Optional<TenantDigest.Snapshot> kept = StoreQueries.query(streams, ApplierStores.DIGESTS, partition,
                    (ReadOnlyKeyValueStore<String, byte[]> digests) -> digests.get(tenant))
                    .map(bytes -> TenantDigest.fromBytes(bytes).snapshot());
            if (kept.isPresent()) {
                return kept.get();
            }
        }
        return StoreQueries.query(streams, ApplierStores.DOCS, partition,
                (ReadOnlyKeyValueStore<String, byte[]> docs) -> {
                    TenantDigest digest = new TenantDigest();
                    java.util.SortedMap<String, TenantDigest.KeyDigest> keys = withKeys ? new java.util.TreeMap<>() : null;
                    String prefix = tenant + "/";
                    try (KeyValueIterator<String, byte[]> it = docs.prefixScan(prefix, new StringSerializer())) {
                        it.forEachRemaining(kv -> {
                            digest.add(kv.key, kv.value);
                            if (keys != null) {
                                String position = StoredDocument.fromStored(kv.value).position();
                                keys.put(kv.key.substring(prefix.length()),
                                        new TenantDigest.KeyDigest(TenantDigest.keyDigest(kv.value), position));
                            }
                        });
                    }
                    return new TenantDigest.Snapshot(digest.documents(), digest.bytes(), digest.value(), keys);
                }).orElseThrow(() -> new NotReadyException("the store of tenant " + tenant + "'s partition is not"
                        + " queryable here", null));
    }

    /** This node as Streams' metadata names it ({@code application.server}, {@code host:port}). */
    public String endpoint() {
        return endpoint;
    }

    /**
     * The node of this region whose applier owns WAL {@code partition} now, from Streams' metadata (refreshed at each
     * rebalance); {@link PartitionOwner#unknown} while no node does (a rebalance). While this node's own applier is not
     * running it is this node, whose answer is then {@code 503 not_ready}.
     */
    public PartitionOwner owner(int partition) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            // This node's applier is not started, or stopping or failed: no metadata to route by, and none will come
            // by waiting. Served here, where the request is answered 503 not_ready at once.
            return PartitionOwner.local(partition, endpoint);
        }
        TopicPartition wal = new TopicPartition(Topics.WAL.name(), partition);
        String active = null;
        List<String> standbys = new ArrayList<>(1);
        try {
            for (StreamsMetadata node : streams.streamsMetadataForStore(ApplierStores.DOCS)) {
                String host = node.hostInfo().host() + ":" + node.hostInfo().port();
                if (node.topicPartitions().contains(wal)) {
                    active = host;
                } else if (node.standbyTopicPartitions().contains(wal)) {
                    standbys.add(host);
                }
            }
        } catch (StreamsException | IllegalStateException e) {
            return PartitionOwner.unknown(partition);  // not started, or shutting down since the check above
        }
        if (active == null) {
            return PartitionOwner.unknown(partition);
        }
        return new PartitionOwner(partition, Optional.of(active), active.equals(endpoint), standbys);
    }

    public Optional<Placement> placement(String tenant) {
        return StoreQueries.query(streams, PlacementViewTopology.PLACEMENTS_STORE,
                (ReadOnlyKeyValueStore<String, Placement> placements) -> placements.get(tenant));
    }

    public List<Placement> placements() {
        return StoreQueries.query(streams, PlacementViewTopology.PLACEMENTS_STORE,
                (ReadOnlyKeyValueStore<String, Placement> placements) -> List.copyOf(StoreQueries.all(placements).values()))
                .orElseThrow();
    }

    /**
     * Placements after tenant {@code after} (exclusive; null: from the first) in tenant order, at most {@code limit}
     * of those {@code filter} accepts, looking at no more than {@code scanBudget} placements: a range read of the
     * store, so a page costs its own size, not the tenant count.
     *
     * @throws NotReadyException when the view is not queryable now
     */
    public PlacementPage placements(String after, int limit, int scanBudget, Predicate<Placement> filter) {
        return StoreQueries.query(streams, PlacementViewTopology.PLACEMENTS_STORE,
                (ReadOnlyKeyValueStore<String, Placement> store) -> StoreQueries.page(store, after, limit, scanBudget,
                        filter)).orElseThrow();
    }

    /** How long the per-region primary counts are reused: one scan of the view serves every region's gauge. */
    private static final long PRIMARY_COUNTS_TTL_NANOS = Duration.ofSeconds(10).toNanos();
    private volatile Map<String, Long> primaryCounts;
    private volatile long primaryCountsAt;

    private double tenantsWithPrimary(String region) {
        try {
            Map<String, Long> counts = primaryCounts;
            if (counts == null || System.nanoTime() - primaryCountsAt > PRIMARY_COUNTS_TTL_NANOS) {
                // One scan for all regions, at most every TTL: a scrape must not read 100,000 placements per region.
                counts = placements().stream().collect(java.util.stream.Collectors.groupingBy(Placement::primary,
                        java.util.stream.Collectors.counting()));
                primaryCounts = counts;
                primaryCountsAt = System.nanoTime();
            }
            return counts.getOrDefault(region, 0L);
        } catch (NotReadyException e) {
            return Double.NaN;
        }
    }

    /**
     * Stops applying WAL records until {@link #resumeApplying}: the region's stream threads keep their partitions but
     * process nothing, so writes get no verdict and reads no newer position; the placement view (a global store)
     * keeps updating. Kafka Streams' {@link KafkaStreams#pause()}; idempotent.
     */
    public void pauseApplying() {
        streams.pause();
    }

    /** Applies again from where {@link #pauseApplying} stopped; idempotent. */
    public void resumeApplying() {
        streams.resume();
    }

    /** {@code listener} hears every placement change, on the global stream thread; keep it quick. */
    public void addPlacementListener(Consumer<Placement> listener) {
        placementListeners.add(listener);
    }

    private void placementChanged(Placement placement) {
        for (Consumer<Placement> listener : placementListeners) {
            try {
                listener.accept(placement);
            } catch (RuntimeException e) {
                LOG.warn("placement listener failed for tenant={}", placement.tenant(), e);
            }
        }
    }

    private void markCleanClose() {
        try {
            Files.createDirectories(cleanCloseMark.getParent());
            Files.writeString(cleanCloseMark, java.time.Instant.now() + "\n");
        } catch (IOException e) {
            LOG.warn("could not mark the applier's clean close ({}); the next start rebuilds the placement view",
                    e.toString());
        }
    }

    @Override
    public void close() {
        if (lifecycle.beginClose()) {
            metrics.close();
            // An application that failed (a corrupted store among the causes) is not closed cleanly, whatever close says.
            KafkaStreams.State before = streams.state();
            boolean failed = before == KafkaStreams.State.ERROR || before == KafkaStreams.State.PENDING_ERROR;
            if (streams.close(CLOSE_LEAVING_GROUP) && !failed) {
                markCleanClose();
            }
            lifecycle.closed();
        }
    }
}
