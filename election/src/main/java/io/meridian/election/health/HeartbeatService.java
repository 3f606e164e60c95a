package io.meridian.election.health;

import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.topics.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every node's heartbeat loop: publishes this node's {@link Heartbeat} to {@code meridian.heartbeats} every interval,
 * reads everyone's heartbeats from there, and keeps a {@link RegionHealthMonitor} over them. Kafka is the channel on
 * purpose: a region whose heartbeats do not reach Kafka cannot serve writes either. One thread ("meridian-heartbeat")
 * owns the monitor; {@link #snapshot()} is safe from any thread. Lifecycle: {@link #start} once, {@link #close}
 * idempotent.
 */
public final class HeartbeatService implements HealthView, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatService.class);

    private final MeridianConfig config;
    private final Supplier<Map<Integer, Long>> appliedOffsets;
    private final LongSupplier controllerEpoch;
    private final BooleanSupplier needsReseed;
    private final BooleanSupplier applierRunning;
    private final BooleanSupplier applierPaused;
    private final Predicate<String> pausedIntent;
    /** Set (on the heartbeat thread) once the applier has run: from then on the node beats every interval. */
    private boolean beating;
    private final Clock clock;
    private final RegionHealthMonitor monitor;
    private final KafkaProducer<String, Heartbeat> producer;
    private final KafkaConsumer<String, Heartbeat> consumer;
    private final List<Consumer<RegionHealthChange>> listeners = new CopyOnWriteArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle("heartbeat service");
    private final Thread thread;
    private volatile HealthSnapshot snapshot;
    private final RoundTrips roundTrips;

    public HeartbeatService(MeridianConfig config, Supplier<Map<Integer, Long>> appliedOffsets,
                            LongSupplier controllerEpoch, MeterRegistry registry, Clock clock) {
        this(config, appliedOffsets, () -> false, () -> true, controllerEpoch, registry, clock);
    }

    /**
     * @param needsReseed    whether this node's region skipped WAL records deleted by retention (told to everyone)
     * @param applierRunning whether this node's applier runs: the node sends its first heartbeat only once it has,
     *                       so a restarted node does not make its region look healthy (and hold back a failover that
     *                       is due) while it cannot yet accept a write. Later pauses of the applier (a rebalance) do
     *                       not stop the heartbeats.
     */
    public HeartbeatService(MeridianConfig config, Supplier<Map<Integer, Long>> appliedOffsets,
                            BooleanSupplier needsReseed, BooleanSupplier applierRunning, LongSupplier controllerEpoch,
                            MeterRegistry registry, Clock clock) {
        this(config, appliedOffsets, needsReseed, applierRunning, () -> false, region -> false, controllerEpoch,
                registry, clock);
    }

    /**
     * @param applierPaused whether this node's applier is paused (region pause): told to everyone in the heartbeat
     * @param pausedIntent  whether the operator paused a region ({@code meridian.regions}): the snapshot marks such a
     *                      region {@link RegionStatus#paused()} at once, without waiting for its nodes' heartbeats
     *                      (and even when they are silent)
     */
    public HeartbeatService(MeridianConfig config, Supplier<Map<Integer, Long>> appliedOffsets,
                            BooleanSupplier needsReseed, BooleanSupplier applierRunning, BooleanSupplier applierPaused,
                            Predicate<String> pausedIntent, LongSupplier controllerEpoch, MeterRegistry registry,
                            Clock clock) {
        this.config = config;
        this.roundTrips = new RoundTrips(config.nodeId(), config.regionUrls().keySet(), registry);
        this.applierPaused = applierPaused;
        this.pausedIntent = pausedIntent;
        this.needsReseed = needsReseed;
        this.applierRunning = applierRunning;
        this.appliedOffsets = appliedOffsets;
        this.controllerEpoch = controllerEpoch;
        this.clock = clock;
        this.monitor = new RegionHealthMonitor(config.regionUrls().keySet(), policy(config), clock.millis());
        this.snapshot = withIntents(monitor.snapshot());
        Map<String, Object> producerProps = new HashMap<>(config.kafkaClientProperties());
        producerProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "meridian-heartbeat-" + config.nodeId());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "1");  // a lost heartbeat is a missed interval, nothing more
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, interval().toMillis());
        this.producer = new KafkaProducer<>(producerProps, Topics.HEARTBEATS.keySerde().serializer(),
                Topics.HEARTBEATS.valueSerde().serializer());
        Map<String, Object> consumerProps = new HashMap<>(config.kafkaClientProperties());
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-heartbeat-reader-" + config.nodeId());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(consumerProps, Topics.HEARTBEATS.keySerde().deserializer(),
                Topics.HEARTBEATS.valueSerde().deserializer());
        this.thread = NamedThreads.thread("meridian-heartbeat", this::run);
        for (String region : config.regionUrls().keySet()) {
            Gauge.builder(MetricNames.REPLICATION_FOLLOWER_HEALTH, this, s -> s.healthValue(region))
                    .description("Region health as this node sees it: 1 healthy, 0.5 suspect, 0 unhealthy")
                    .tag(MetricNames.TAG_REGION, region)
                    .register(registry);
        }
    }

    /** The health policy a node's configuration describes; the startup grace is the failover leader timeout. */
    public static HealthPolicy policy(MeridianConfig config) {
        Duration interval = Duration.ofMillis(config.getLong(ControllerConfigs.HEALTH_HEARTBEAT_INTERVAL_MS));
        return HealthPolicy.defaults(interval,
                        Duration.ofMillis(config.getLong(ControllerConfigs.FAILOVER_LEADER_TIMEOUT_MS)))
                .withThresholds(config.getInt(ControllerConfigs.HEALTH_MISSES_TO_SUSPECT),
                        config.getInt(ControllerConfigs.HEALTH_MISSES_TO_UNHEALTHY),
                        config.getInt(ControllerConfigs.HEALTH_SUCCESSES_TO_HEALTHY))
                .withBackoff(config.getDouble(ControllerConfigs.HEALTH_PROBE_BACKOFF_MULTIPLIER),
                        Duration.ofMillis(Math.max(interval.toMillis(),
                                config.getLong(ControllerConfigs.HEALTH_PROBE_BACKOFF_MAX_MS))));
    }

    public void start() {
        lifecycle.beginStart();
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.HEARTBEATS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        // Only heartbeats from now on count: old ones would make dead regions look alive.
        consumer.seekToEnd(partitions);
        thread.start();
        lifecycle.started();
    }

    /** {@code listener} hears every region health change, on the heartbeat thread; keep it quick. */
    @Override
    public void addChangeListener(Consumer<RegionHealthChange> listener) {
        listeners.add(listener);
    }

    @Override
    public HealthSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public Duration interval() {
        return monitor.policy().interval();
    }

    private double healthValue(String region) {
        RegionStatus status = snapshot.regions().get(region);
        if (status == null) {
            return Double.NaN;
        }
        return switch (status.state()) {
            case HEALTHY -> 1.0;
            case SUSPECT -> 0.5;
            case UNHEALTHY -> 0.0;
        };
    }

    private void run() {
        long intervalMillis = interval().toMillis();
        long nextBeat = clock.millis();
        while (!lifecycle.isClosing()) {
            try {
                long now = clock.millis();
                if (now >= nextBeat) {
                    beat(now);
                    nextBeat = now + intervalMillis;
                }
                for (ConsumerRecord<String, Heartbeat> record : consumer.poll(Duration.ofMillis(
                        Math.max(10, Math.min(intervalMillis / 4, nextBeat - now))))) {
                    if (record.value() != null) {
                        monitor.record(record.value(), clock.millis());
                        roundTrips.received(record.value(), clock.millis());
                    }
                }
                List<RegionHealthChange> changes = monitor.tick(clock.millis());
                snapshot = withIntents(monitor.snapshot());
                changes.forEach(this::announce);
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                if (lifecycle.isClosing()) {
                    return;
                }
                // The monitor keeps ticking through Kafka trouble: missing heartbeats are exactly what it measures.
                LOG.warn("heartbeat loop: {}", e.toString());
                snapshot = withIntents(monitor.snapshot());
                sleepQuietly(intervalMillis / 4);
            }
        }
    }

    private void beat(long now) {
        if (!beating) {
            if (!applierRunning.getAsBoolean()) {
                return;
            }
            beating = true;
            LOG.info("applier running: node={} region={} starts heartbeating", config.nodeId(), config.region());
        }
        Heartbeat heartbeat = new Heartbeat(config.nodeId(), config.region(), config.advertisedUrl().toString(),
                appliedOffsets.get(), monitor.suspectedRegions(), now, Math.max(0, controllerEpoch.getAsLong()),
                needsReseed.getAsBoolean(), applierPaused.getAsBoolean(),
                roundTrips.echoes(now, 3 * interval().toMillis()));
        producer.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), config.nodeId(), heartbeat), (metadata, error) -> {
            if (error != null) {
                LOG.debug("heartbeat not sent: {}", error.toString());
            }
        });
    }

    /** The monitor's snapshot with the regions the operator paused marked paused. */
    private HealthSnapshot withIntents(HealthSnapshot fromHeartbeats) {
        return HealthSnapshot.of(fromHeartbeats.atMillis(), fromHeartbeats.regions().values().stream()
                .map(status -> status.withPaused(status.paused() || pausedIntent.test(status.region())))
                .toList());
    }

    private void announce(RegionHealthChange change) {
        LOG.info("region health region={} {} -> {} misses={} reason={}", change.region(), change.from().wireName(),
                change.to().wireName(), change.consecutiveMisses(), change.reason());
        for (Consumer<RegionHealthChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("health change listener failed for region={}", change.region(), e);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
        producer.close(Duration.ofSeconds(2));
        lifecycle.closed();
    }
}
