package io.meridian.election.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSettings;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeaderElectors;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverPlanner;
import io.meridian.election.failover.FailoverPolicy;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.HealthView;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionHealthChange;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.LogEnds;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A region's failover in bulk on real brokers and a real ZooKeeper: thousands of tenants move in transactions of at
 * most {@link FailoverDuty#TRANSACTION_TENANTS} tenants, each carrying the failover event's parts (of at most
 * {@link FailoverDuty#PART_TENANTS} tenants) that list them, and the next controller's ledger sees every one of them
 * moved.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BulkFailoverIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TENANTS = 2_500;

    private TestCluster cluster;
    private String prefix;
    private String zkRoot;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        prefix = cluster.uniqueName("bulk-fo");
        zkRoot = "/" + cluster.uniqueName("bulk-failover");
    }

    @AfterEach
    void tearDown() throws Exception {
        java.util.Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void shouldFailOverThousandsOfTenantsInAFewTransactionsEachWithTheEventPartListingThem() throws Exception {
        Controller controller = elected("node-a");
        List<Placement> placements = new ArrayList<>();
        for (int i = 0; i < TENANTS; i++) {
            placements.add(new Placement(String.format("%s-%05d", prefix, i), "us-east", List.of("us-east", "eu-west"),
                    1, WriteState.ACTIVE, ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY));
        }
        long createStarted = System.nanoTime();
        PlacementPublisher.batches(placements, PlacementPublisher.MAX_BATCH)
                .forEach(batch -> controller.changePlacements(batch, "bulk-test"));
        long createMs = (System.nanoTime() - createStarted) / 1_000_000;

        long started = System.nanoTime();
        FailoverEvent event = controller.failover("us-east", Optional.of("eu-west"), false);
        long failoverMs = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("bulk: %d tenants created in %d ms, failed over in %d ms%n", TENANTS, createMs, failoverMs);

        // Every tenant moved, as the next controller will read it.
        PlacementLedger committed = PlacementLedger.read(kafka(), prefix + "-reader", WAIT);
        for (Placement before : placements) {
            Placement after = committed.get(before.tenant()).orElseThrow();
            assertEquals("eu-west", after.primary(), before.tenant());
            assertEquals(2, after.epoch(), before.tenant());
        }
        assertTrue(event.tenants().size() >= TENANTS);

        // The log holds the failover in parts of at most PART_TENANTS promoted tenants, which together list every
        // tenant.
        List<FailoverEvent> parts = eventParts(event);
        int promoted = (int) event.tenants().stream().filter(t -> t.epochAfter() > t.epochBefore()).count();
        assertEquals((promoted + FailoverDuty.PART_TENANTS - 1) / FailoverDuty.PART_TENANTS, parts.size(), parts.toString());
        Set<String> listed = new HashSet<>();
        for (FailoverEvent part : parts) {
            assertEquals(parts.size(), part.parts());
            assertTrue(part.tenants().size() <= FailoverDuty.PART_TENANTS + event.tenants().size() - promoted);
            part.tenants().forEach(t -> listed.add(t.tenant()));
        }
        placements.forEach(p -> assertTrue(listed.contains(p.tenant()), p.tenant() + " in no event part"));
    }

    /** The failover events on meridian.controller that belong to {@code event} (same region, epoch and start). */
    private List<FailoverEvent> eventParts(FailoverEvent event) throws Exception {
        Map<String, Object> props = kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<FailoverEvent> parts = new ArrayList<>();
        try (KafkaConsumer<String, JsonNode> consumer = new KafkaConsumer<>(props,
                Topics.CONTROLLER.keySerde().deserializer(), Topics.CONTROLLER.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CONTROLLER.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = LogEnds.highWatermarks(props, partitions, WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JsonNode> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode value = record.value();
                    if (value != null && FailoverEvent.TYPE.equals(value.path("type").asText())
                            && value.path("startedAtMillis").asLong() == event.startedAtMillis()
                            && value.path("controllerEpoch").asLong() == event.controllerEpoch()) {
                        parts.add(Json.MAPPER.treeToValue(value, FailoverEvent.class));
                    }
                }
            }
        }
        return parts;
    }

    private Map<String, Object> kafka() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        return props;
    }

    /** A controller of its own node, with us-east and eu-west healthy, once it leads and its term is active. */
    private Controller elected(String nodeId) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, "eu-west");
        values.put(MeridianConfig.NODE_ID, nodeId);
        values.put(MeridianConfig.REGIONS, "us-east=http://127.0.0.1:1,eu-west=http://127.0.0.1:2");
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        values.put(ElectionConfigs.ZOOKEEPER_CONNECT, cluster.zookeeperConnect());
        values.put(ControllerConfigs.FAILOVER_ENABLED, false);
        MeridianConfig config = new MeridianConfig(values);
        LeaderElector elector = LeaderElectors.create(ElectionConfigs.BACKEND_ZOOKEEPER,
                new ElectionCandidate(nodeId, "eu-west", "http://" + nodeId, 0), ElectionSettings.builder()
                        .kafkaClientProperties(config.kafkaClientProperties())
                        .controllerTopic(Topics.CONTROLLER.name())
                        .zookeeperConnect(cluster.zookeeperConnect())
                        .zookeeperRoot(zkRoot)
                        .zookeeperSessionTimeout(Duration.ofSeconds(6))
                        .zookeeperConnectionTimeout(Duration.ofSeconds(6))
                        .build());
        Clock clock = Clock.systemUTC();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int walPartitions = config.walPartitions();
        FailoverPolicy policy = FailoverPolicy.defaults(Duration.ofSeconds(5));
        FailoverDuty failover = new FailoverDuty(new FailoverPlanner(policy,
                tenant -> WalPartitioner.partitionOf(tenant, walPartitions)), false, policy.inhibitWindow(),
                (window, now) -> InhibitWindows.empty(window), nodeId, registry, clock);
        Controller controller = new Controller(nodeId, "eu-west", elector, new Healthy(),
                TermOpener.kafka(config, elector, new HybridLogicalClock(clock), Controller.WRITE_TIMEOUT), failover,
                tenant -> WalPartitioner.partitionOf(tenant, walPartitions), registry, clock);
        closeables.add(controller);
        controller.start();
        String probe = prefix + "-probe";
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            controller.changePlacement(new Placement(probe, "eu-west", List.of("eu-west"), 1, WriteState.ACTIVE,
                    ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY), "probe");
            return true;
        });
        return controller;
    }

    /** us-east and eu-west healthy, every partition applied far. */
    private static final class Healthy implements HealthView {
        @Override
        public HealthSnapshot snapshot() {
            return HealthSnapshot.of(System.currentTimeMillis(), List.of(status("us-east"), status("eu-west")));
        }

        private static RegionStatus status(String region) {
            Map<Integer, Long> applied = new HashMap<>();
            for (int p = 0; p < 12; p++) {
                applied.put(p, 1_000_000L);
            }
            return new RegionStatus(region, RegionHealth.HEALTHY, 0, false, OptionalLong.of(100), 0, 3, 1_000, 2_000,
                    Set.of(region + "-1"), applied, Map.of());
        }

        @Override
        public Duration interval() {
            return Duration.ofMillis(500);
        }

        @Override
        public void addChangeListener(Consumer<RegionHealthChange> listener) {
        }
    }
}
