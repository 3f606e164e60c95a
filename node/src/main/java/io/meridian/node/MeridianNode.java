package io.meridian.node;

import io.meridian.infra.config.MeridianConfig;
import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSettings;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeaderElectors;
import io.meridian.election.ZooKeeperSecurity;
import io.meridian.election.controller.Controller;
import io.meridian.election.health.HeartbeatService;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.lifecycle.Resources;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.regions.KafkaRegionPauses;
import io.meridian.infra.regions.RegionPauseMetrics;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.migration.FailbackDuty;
import io.meridian.migration.MigrationExecutor;
import io.meridian.router.AppliedPositionClient;
import io.meridian.router.IngestService;
import io.meridian.router.KafkaApiKeyStore;
import io.meridian.router.ReplicationStatus;
import io.meridian.router.RouterServer;
import io.meridian.router.WriteLimits;
import io.meridian.streams.ApplierMetrics;
import io.meridian.streams.RetentionGuard;
import io.meridian.streams.ApplyListener;
import io.meridian.streams.ReplicationMonitor;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.RegionStreams;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One region node: provisions the topics, runs the region's Kafka Streams app (applier + placement view), the
 * heartbeat loop and region health monitor, the election (and, while elected, the controller duties) and the HTTP
 * router. {@link #start} once (a second call throws); a start that fails midway closes what it had started and
 * rethrows. {@link #close} releases everything in reverse order and is idempotent.
 */
public final class MeridianNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeridianNode.class);

    private final MeridianConfig config;
    private final Lifecycle lifecycle;
    private final Resources resources;
    /**
     * How long a starting node may take to read meridian.regions (whether its region is paused), and
     * meridian.api-keys (the data API keys).
     */
    static final Duration REGIONS_LOAD_TIMEOUT = Duration.ofSeconds(30);
    private volatile RouterServer router;
    private volatile Controller controller;

    public MeridianNode(MeridianConfig config) {
        this.config = config;
        this.lifecycle = new Lifecycle("node " + config.nodeId());
        this.resources = new Resources("node " + config.nodeId());
    }

    /**
     * Starts every part, in order.
     *
     * @throws IllegalStateException when called a second time, or after {@link #close}
     */
    public void start() {
        lifecycle.beginStart();
        try {
            startParts();
        } catch (RuntimeException | Error e) {
            LOG.error("node={} failed to start; closing what started", config.nodeId(), e);
            close();
            throw e;
        }
        if (!lifecycle.started()) {
            // Closed while starting (a shutdown hook): release what this start opened after that close ran.
            resources.close();
        }
    }

    private void startParts() {
        LOG.info("starting node={} region={} kafka={}", config.nodeId(), config.region(), config.bootstrapServers());
        // A body the router accepts must make a WAL record Kafka accepts, or clients would retry it forever.
        WriteLimits.check(config.maxBodyBytes(), walProducerProperties(config));
        // Unusable ZooKeeper credentials stop the node before anything starts, naming the key.
        ZooKeeperSecurity zookeeperSecurity = config.electionBackend().equals(ElectionConfigs.BACKEND_ZOOKEEPER)
                ? ZooKeeperSecurity.from(config) : ZooKeeperSecurity.open();
        try (Admin admin = Admin.create(config.kafkaClientProperties())) {
            new TopicProvisioner(admin).provision(
                    Topics.catalog(config.walPartitions(), config.replicationFactor(), config.minInsyncReplicas()));
        }
        PrometheusMeterRegistry registry = newRegistry(config.region(), config.nodeId());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        resources.add(gc);
        resources.add(registry::close);

        Clock clock = Clock.systemUTC();
        ApplyTracker tracker = new ApplyTracker();
        ApplierMetrics applierMetrics = new ApplierMetrics(registry, clock);
        RetentionGuard retention = RetentionGuard.withAdmin(config.kafkaClientProperties(),
                config.stateDir().resolve(config.nodeId()), registry, config.region());
        resources.add(retention);
        // The operator's pause intent is read before the applier starts, so a restart keeps a paused region paused.
        KafkaRegionPauses pauses = new KafkaRegionPauses(config.kafkaClientProperties(), config.nodeId());
        resources.add(pauses);
        pauses.start(REGIONS_LOAD_TIMEOUT);
        RegionPauseMetrics.bind(registry, config.regionUrls().keySet(), pauses);
        RegionStreams streams = new RegionStreams(config, ApplyListener.all(tracker, applierMetrics, retention),
                registry);
        resources.add(streams);
        pauses.addListener(pause -> {
            if (pause.region().equals(config.region())) {
                if (pause.paused()) {
                    streams.pauseApplier();
                } else {
                    streams.resumeApplier();
                }
            }
        });
        if (pauses.isPaused(config.region())) {
            LOG.info("node={} region={} starts with its applier paused: the region's replication is paused",
                    config.nodeId(), config.region());
            streams.pauseApplier();
        }

        Producer<String, WalRecord> walProducer = new KafkaProducer<>(walProducerProperties(config),
                Topics.WAL.keySerde().serializer(), Topics.WAL.valueSerde().serializer());
        resources.add(() -> walProducer.close(Duration.ofSeconds(5)));
        KafkaClientMetrics producerMetrics = new KafkaClientMetrics(walProducer);
        producerMetrics.bindTo(registry);
        resources.add(producerMetrics);

        LeaderElector elector = LeaderElectors.create(config.electionBackend(),
                new ElectionCandidate(config.nodeId(), config.region(), config.advertisedUrl().toString(),
                        config.getInt(ElectionConfigs.ELECTION_PRIORITY)),
                electionSettings(config, zookeeperSecurity, tracker, clock));
        HeartbeatService heartbeats = new HeartbeatService(config, tracker::appliedOffsets, retention::needsReseed,
                streams::isReady, streams::isApplierPaused, pauses::isPaused, elector::epoch, registry, clock);
        resources.add(heartbeats);
        heartbeats.start();
        controller = Controller.create(config, elector, heartbeats, registry, clock);
        controller.pauseAutomaticFailoverWhen(() -> pauses.automaticFailover().paused());
        // The controller asks a migration's target whether it passed the pause fence (heartbeats: the fallback).
        MigrationExecutor migrations = new MigrationExecutor(config, new AppliedPositionClient(config.regionUrls()),
                registry, clock);
        controller.addDuty(migrations);
        // After the executor: failbacks are migrations it runs, started once a tick's migration steps are done.
        FailbackDuty failbacks = new FailbackDuty(config, migrations, registry, clock);
        controller.addDuty(failbacks);
        resources.add(controller);  // closing it hands leadership over at once
        controller.start();

        ReplicationMonitor monitor = new ReplicationMonitor(config, registry, clock);
        resources.add(monitor);

        // The admin API's data API keys, read whole before the router answers its first data request.
        KafkaApiKeyStore apiKeys = new KafkaApiKeyStore(config.kafkaClientProperties(), config.nodeId());
        resources.add(apiKeys);
        apiKeys.start(REGIONS_LOAD_TIMEOUT);

        router = new RouterServer(config, streams, tracker, walProducer, controller, migrations, failbacks,
                ReplicationStatus.of(monitor, applierMetrics), pauses, apiKeys, registry, clock);
        resources.add(router);
        // A region whose copy has a gap (WAL records deleted before it applied them) re-seeds itself.
        router.autoReseed(retention::needsReseed, retention::clear);
        router.start();
        if (config.ingestEnabled()) {
            // After the router (it writes through it), closed before it.
            IngestService ingest = router.ingest(registry);
            resources.add(ingest);
            ingest.start();
        }
        LOG.info("node={} region={} serving on port {}", config.nodeId(), config.region(), router.port());
        // Joins the region's applier group only now that it listens: a restarted node of a multi-node region can be
        // given its partitions back at once, and until it listened the other nodes' forwards to it failed (chaos
        // member-kill seed 2: 20 s between the join and the listen at load 30, writes of its tenant 24 s unanswered).
        // Until the applier runs, requests it must answer itself get 503 not_ready.
        streams.start();
        // Last: nothing waits for the lag monitor (lag reads as unknown until it runs), and its start (restoring its
        // global views) took 2.4 s of a restart on meridian local's two cores, in front of the applier's.
        monitor.start();
    }

    /**
     * The node's registry, tagged with its region and node. Kafka Streams' per-store (RocksDB) and per-processor-node
     * metrics are left out: about 6,200 of a node's 8,800 series on {@code meridian local}, graphed by no dashboard or
     * alert, each scrape serialized them all, and the Kafka binder compares every metric with every meter of its name
     * whenever the set changes (a rebalance creates a task's stores): in one profile of a write benchmark its thread
     * took a sixth of the node's samples. Thread, task, client, consumer and producer metrics stay.
     */
    static PrometheusMeterRegistry newRegistry(String region, String nodeId) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("region", region, "node", nodeId)
                .meterFilter(MeterFilter.denyNameStartsWith("kafka.stream.state."))
                .meterFilter(MeterFilter.denyNameStartsWith("kafka.stream.processor.node."));
        return registry;
    }

    /** The port the HTTP server listens on (after {@link #start}). */
    public int port() {
        return router.port();
    }

    static ElectionSettings electionSettings(MeridianConfig config, ZooKeeperSecurity zookeeperSecurity,
            ApplyTracker tracker, Clock clock) {
        ElectionSettings.Builder settings = ElectionSettings.builder()
                .kafkaClientProperties(config.kafkaClientProperties())
                .controllerTopic(Topics.CONTROLLER.name())
                .zookeeperSessionTimeout(Duration.ofMillis(config.getInt(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS)))
                .zookeeperConnectionTimeout(
                        Duration.ofMillis(config.getInt(ElectionConfigs.ZOOKEEPER_CONNECTION_TIMEOUT_MS)))
                // The kafka backend ranks candidates by how much of the WAL they applied.
                .appliedPosition(() -> tracker.appliedOffsets().values().stream().mapToLong(Long::longValue).sum())
                .clock(clock);
        if (config.electionBackend().equals(ElectionConfigs.BACKEND_ZOOKEEPER)) {
            settings.zookeeperConnect(config.requireZookeeperConnect()).zookeeperSecurity(zookeeperSecurity);
        }
        return settings.build();
    }

    static Map<String, Object> walProducerProperties(MeridianConfig config) {
        return WalProducerSettings.forWrites(config.kafkaClientProperties(), "meridian-wal-" + config.nodeId(),
                config.writeApplyTimeout());
    }

    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        try {
            // Leadership first: another node takes over while this one still drains (closing twice is a no-op).
            Controller current = controller;
            if (current != null) {
                current.close();
            }
            resources.close();
        } finally {
            lifecycle.closed();
        }
        LOG.info("node={} stopped", config.nodeId());
    }
}
