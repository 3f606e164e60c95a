package io.meridian.migration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ControllerProducer;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.Topic;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.meridian.migration.internal.KafkaMigrationSource;
import io.meridian.migration.testing.KafkaTestControllerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor on the shared real cluster: the controller's transactional producer writes placement, fence and events
 * together; a read_committed reader sees exactly the migration's story; a second controller rebuilds it from the log.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MigrationExecutorIntegrationTest {
    private static final double TIMING = Double.parseDouble(System.getProperty("timing-multiple", "1"));
    private static final int WAL_PARTITIONS = 12;
    private static final MigrationSettings SETTINGS = new MigrationSettings(Set.of("us-east", "eu-west", "ap-south"),
            WAL_PARTITIONS, Duration.ofSeconds(120), 1_000, Duration.ofSeconds(5), Duration.ofMillis(200),
            Duration.ofMillis(500), Duration.ofSeconds(90));

    private TestCluster cluster;
    private String tenant;
    private String transactionalId;
    private final List<KafkaTestControllerContext> contexts = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            // Right after creation a broker may not host a new partition yet: provisioning is idempotent, retry it.
            await().atMost(Duration.ofMillis((long) (120_000 * TIMING))).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(WAL_PARTITIONS,
                            (short) 3, 2)));
        }
        tenant = cluster.uniqueName("acme");
        transactionalId = cluster.uniqueName("meridian-controller-it");
    }

    @AfterEach
    void tearDown() {
        contexts.forEach(KafkaTestControllerContext::close);
    }

    @Test
    void shouldMigrateThroughRealTransactionsAndRebuildOnANewController() {
        KafkaTestControllerContext first = context(1);
        Placement initial = new Placement(tenant, "us-east", List.of("us-east", "eu-west"), 1, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);
        Position created = first.onDuties(() -> first.publishPlacement(initial, "test-create", f -> tx -> { }));
        int partition = first.walPartition(tenant);
        assertEquals(partition, created.partition());
        first.region("us-east", RegionHealth.HEALTHY, Map.of(partition, created.offset()));
        first.region("eu-west", RegionHealth.HEALTHY, Map.of(partition, created.offset()));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MigrationExecutor executor = activate(first, registry);
        // The topic is shared by this class's tests: a migration another test left active would end here too.
        assertEquals(List.of(), executor.active(), "migrations left active by another test");

        Migration requested = executor.start(tenant, "eu-west", "integration-test");  // from this (HTTP-like) thread
        assertEquals(MigrationState.REQUESTED, requested.state());
        Migration draining = waitFor(executor, requested.id(), MigrationState.DRAINING);
        Position pauseFence = Position.parse(draining.pauseFence());
        assertEquals(partition, pauseFence.partition());
        assertEquals(2, draining.placementEpoch());

        first.applied("eu-west", partition, pauseFence.offset());  // the target's applier passed the fence
        Migration completed = waitFor(executor, requested.id(), MigrationState.COMPLETED);
        assertEquals(3, completed.placementEpoch());
        assertEquals(1.0, registry.get(MetricNames.MIGRATION_TOTAL).tag(MetricNames.TAG_STATE, "completed")
                .counter().count());

        // What a read_committed reader of the topics sees.
        Placement now = latest(readCommitted(Topics.PLACEMENTS));
        assertEquals(new Placement(tenant, "eu-west", List.of("us-east", "eu-west"), 3, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY), now);
        List<ConsumerRecord<String, MigrationEvent>> events = readCommitted(Topics.MIGRATIONS).stream()
                .filter(r -> r.value().migrationId().equals(requested.id())).toList();
        List<String> story = events.stream().map(r -> r.value() instanceof MigrationEvent.StateChanged c
                ? c.state().wireName() : r.value().getClass().getSimpleName()).filter(s -> !s.equals("Progress"))
                .toList();
        assertEquals(List.of("Requested", "validated", "writes_paused", "draining", "switched", "completed"), story);
        assertTrue(events.stream().allMatch(r -> ControllerProducer.epochOf(r.headers()).orElse(-1) == 1),
                "every event carries the controller epoch header");
        MigrationEvent.StateChanged switched = events.stream().map(ConsumerRecord::value)
                .filter(e -> e instanceof MigrationEvent.StateChanged c && c.state() == MigrationState.SWITCHED)
                .map(MigrationEvent.StateChanged.class::cast).findFirst().orElseThrow();
        Map<Position, WalRecord> fences = new HashMap<>();
        readCommitted(Topics.WAL).stream().filter(r -> tenant.equals(r.key()))
                .forEach(r -> fences.put(new Position(r.partition(), r.offset()), r.value()));
        WalRecord.Fence pause = assertInstanceOf(WalRecord.Fence.class, fences.get(pauseFence));
        assertEquals(initial.withWrites(WriteState.PAUSED, 2), pause.placement());
        WalRecord.Fence switchFence = assertInstanceOf(WalRecord.Fence.class,
                fences.get(Position.parse(switched.fencePosition())));
        assertEquals(now, switchFence.placement());

        // A new controller (fencing the first) rebuilds the same migration from the log.
        KafkaTestControllerContext second = context(2);
        second.region("us-east", RegionHealth.HEALTHY, Map.of(partition, pauseFence.offset()));
        second.region("eu-west", RegionHealth.HEALTHY, Map.of(partition, pauseFence.offset() + 1));
        MigrationExecutor successor = activate(second, new SimpleMeterRegistry());
        assertEquals(executor.get(requested.id()), successor.get(requested.id()));
        assertEquals(executor.forTenant(tenant), successor.forTenant(tenant));

        // ...and runs the next one: back to us-east, cancelled while draining, rolled back in one transaction.
        Migration back = successor.start(tenant, "us-east", "integration-test");
        waitFor(successor, back.id(), MigrationState.DRAINING);
        Migration cancelled = successor.cancel(back.id(), "integration-test");
        assertEquals(MigrationState.CANCELLED, cancelled.state());
        assertEquals(new Placement(tenant, "eu-west", List.of("us-east", "eu-west"), 5, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY), latest(readCommitted(Topics.PLACEMENTS)));
    }

    @Test
    void shouldRunSeveralMigrationsAtOnceWithinTheRegionBoundAcrossAControllerChange() throws Exception {
        MigrationSettings bounded = new MigrationSettings(SETTINGS.regions(), WAL_PARTITIONS, SETTINGS.timeout(),
                SETTINGS.maxTargetLagEntries(), SETTINGS.pauseBudget(), SETTINGS.heartbeatInterval(),
                SETTINGS.progressInterval(), SETTINGS.callTimeout(), 3);
        KafkaTestControllerContext first = context(1);
        List<String> tenants = new ArrayList<>();
        Map<Integer, Long> applied = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            String name = tenant + "-" + i;
            tenants.add(name);
            Position created = first.onDuties(() -> first.publishPlacement(new Placement(name, "us-east",
                    List.of("us-east", "eu-west"), 1, WriteState.ACTIVE, ConflictStrategy.LWW,
                    ReplicationMode.SINGLE_PRIMARY), "test-create", f -> tx -> { }));
            applied.merge(created.partition(), created.offset(), Math::max);
        }
        first.region("us-east", RegionHealth.HEALTHY, applied);
        first.region("eu-west", RegionHealth.HEALTHY, applied);
        MigrationExecutor executor = activate(first, new SimpleMeterRegistry(), bounded);

        // Three requested at once, from three (HTTP-like) threads: all three tenants paused and draining together.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        List<java.util.concurrent.Future<Migration>> calls = new ArrayList<>();
        try {
            for (String name : tenants.subList(0, 3)) {
                calls.add(pool.submit(() -> executor.start(name, "eu-west", "evacuation")));
            }
            List<Migration> started = new ArrayList<>();
            for (var call : calls) {
                started.add(call.get(60, TimeUnit.SECONDS));
            }
            List<Migration> draining = started.stream().map(m -> waitFor(executor, m.id(), MigrationState.DRAINING))
                    .toList();
            assertEquals(3, executor.active().size());
            // The fourth is over the bound of us-east: refused, and nothing of it is written.
            TooManyMigrationsException refused = assertThrows(TooManyMigrationsException.class,
                    () -> executor.start(tenants.get(3), "eu-west", "evacuation"));
            assertEquals(429, refused.status());

            // A new controller takes the three over while they drain: the bound holds there too.
            KafkaTestControllerContext second = context(2);
            second.region("us-east", RegionHealth.HEALTHY, applied);
            second.region("eu-west", RegionHealth.HEALTHY, applied);
            MigrationExecutor successor = activate(second, new SimpleMeterRegistry(), bounded);
            assertEquals(3, successor.active().size());
            assertThrows(TooManyMigrationsException.class,
                    () -> successor.start(tenants.get(3), "eu-west", "evacuation"));

            // The targets pass the pause fences: all three switch on the new controller, the fourth may start.
            Map<Integer, Long> fences = new HashMap<>();
            draining.forEach(m -> fences.merge(Position.parse(m.pauseFence()).partition(),
                    Position.parse(m.pauseFence()).offset(), Math::max));
            fences.forEach((partition, offset) -> second.applied("eu-west", partition, offset));
            for (Migration m : draining) {
                assertEquals(3, waitFor(successor, m.id(), MigrationState.COMPLETED).placementEpoch());
            }
            Migration fourth = successor.start(tenants.get(3), "eu-west", "evacuation");
            waitFor(successor, fourth.id(), MigrationState.DRAINING);
            // Leave nothing active in the shared migrations topic: the next test's controller would carry it on (and
            // count its end among its own migrations).
            successor.cancel(fourth.id(), "integration-test");
            assertEquals(List.of(), successor.active());
        } finally {
            pool.shutdownNow();
        }
    }

    private KafkaTestControllerContext context(long epoch) {
        KafkaTestControllerContext context = new KafkaTestControllerContext(cluster.clientConfig(), transactionalId,
                epoch, WAL_PARTITIONS, Clock.systemUTC());
        contexts.add(context);
        return context;
    }

    private MigrationExecutor activate(KafkaTestControllerContext context, SimpleMeterRegistry registry) {
        return activate(context, registry, SETTINGS);
    }

    private MigrationExecutor activate(KafkaTestControllerContext context, SimpleMeterRegistry registry,
                                       MigrationSettings settings) {
        Supplier<KafkaMigrationSource> sources = () -> new KafkaMigrationSource(cluster.clientConfig(),
                Duration.ofSeconds(60));
        MigrationExecutor executor = new MigrationExecutor(settings, sources, registry, Clock.systemUTC(),
                () -> UUID.randomUUID().toString());
        context.onDuties(() -> {
            executor.onActivated(context);
            return null;
        });
        // The controller's heartbeat-interval tick.
        context.duties().scheduleWithFixedDelay(() -> executor.tick(System.currentTimeMillis()), 200, 200,
                TimeUnit.MILLISECONDS);
        return executor;
    }

    private static Migration waitFor(MigrationExecutor executor, String id, MigrationState state) {
        await().atMost(Duration.ofMillis((long) (60_000 * TIMING))).pollInterval(Duration.ofMillis(50))
                .until(() -> executor.get(id).map(m -> m.state() == state || !m.active()).orElse(false));
        Migration m = executor.get(id).orElseThrow();
        assertEquals(state, m.state(), m.toString());
        return m;
    }

    private Placement latest(List<ConsumerRecord<String, Placement>> records) {
        return records.stream().filter(r -> tenant.equals(r.key())).reduce((a, b) -> b).orElseThrow().value();
    }

    /** Every committed record of {@code topic}, read from the beginning up to its end. */
    private <V> List<ConsumerRecord<String, V>> readCommitted(Topic<String, V> topic) {
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic.name() + " to " + end);
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    V value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(),
                            r.timestampType(), r.serializedKeySize(), r.serializedValueSize(), r.key(), value,
                            r.headers(), r.leaderEpoch()));
                }
            }
        }
        return out;
    }
}
