package io.meridian.election.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ControllerProducer;
import io.meridian.election.ElectionSettings;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeaderElectors;
import io.meridian.election.health.HeartbeatService;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One controller term on real brokers and a real ZooKeeper: epochs are compare-and-set against what the term itself
 * committed, and a term whose producer is fenced by a zombie (or breaks) reopens it and goes on instead of staying
 * elected with a dead producer.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ControllerTermIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private TestCluster cluster;
    private String tenant;
    private String zkRoot;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        tenant = cluster.uniqueName("term");
        zkRoot = "/" + cluster.uniqueName("controller-term");
    }

    @AfterEach
    void tearDown() throws Exception {
        java.util.Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void shouldRefuseAChangePlannedFromAnOutdatedEpochAndNeverWriteTwoFencesWithOneEpoch() {
        Controller controller = elected("node-a");
        controller.changePlacement(placement("us-east", 1), "test");

        // A second change planned from the same (stale) view: epoch 1 again, or a jump to 3.
        assertThrows(PlacementConflictException.class, () -> controller.changePlacement(placement("eu-west", 1), "t"));
        assertThrows(PlacementConflictException.class, () -> controller.changePlacement(placement("eu-west", 3), "t"));
        controller.changePlacement(placement("eu-west", 2), "test");

        assertEquals(2, controller.committedPlacement(tenant).orElseThrow().epoch());
        assertEquals("eu-west", controller.committedPlacement(tenant).orElseThrow().primary());
    }

    @Test
    void shouldReopenTheProducerWhenAZombieFencesItWhileStillElected() {
        Controller controller = elected("node-a");
        controller.changePlacement(placement("us-east", 1), "test");

        // A zombie opens the controller's transactional id: the elected controller's producer is fenced.
        try (ControllerProducer zombie = new ControllerProducer(kafka(), ControllerProducer.DEFAULT_TRANSACTIONAL_ID,
                0, () -> true, Duration.ofSeconds(30), (epoch, e) -> { })) {
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                controller.changePlacement(placement("eu-west", 2), "after-zombie");
                return true;
            });
        }

        // The reopened term re-read its committed placements: it plans from epoch 2.
        assertEquals(2, controller.committedPlacement(tenant).orElseThrow().epoch());
        controller.changePlacement(placement("us-east", 3), "test");
    }

    @Test
    void shouldPlanFromEverythingEarlierControllersCommittedAfterTakingOver() throws Exception {
        Controller first = elected("node-a");
        first.changePlacement(placement("us-east", 1), "test");
        first.changePlacement(placement("eu-west", 2), "test");
        first.close();

        Controller second = elected("node-b");

        assertEquals(2, second.committedPlacement(tenant).orElseThrow().epoch());
        assertThrows(PlacementConflictException.class, () -> second.changePlacement(placement("us-east", 2), "t"));
        second.changePlacement(placement("us-east", 3), "test");
    }

    private Placement placement(String primary, long epoch) {
        return new Placement(tenant, primary, List.of("us-east", "eu-west"), epoch, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
    }

    private Map<String, Object> kafka() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        return props;
    }

    /** A controller of its own node, started, once it leads and its term is active. */
    private Controller elected(String nodeId) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, "us-east");
        values.put(MeridianConfig.NODE_ID, nodeId);
        values.put(MeridianConfig.REGIONS, "us-east=http://127.0.0.1:1,eu-west=http://127.0.0.1:2");
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        values.put(ElectionConfigs.ZOOKEEPER_CONNECT, cluster.zookeeperConnect());
        values.put(ControllerConfigs.FAILOVER_ENABLED, false);
        MeridianConfig config = new MeridianConfig(values);
        LeaderElector elector = LeaderElectors.create(ElectionConfigs.BACKEND_ZOOKEEPER,
                new ElectionCandidate(nodeId, "us-east", "http://" + nodeId, 0), ElectionSettings.builder()
                        .kafkaClientProperties(config.kafkaClientProperties())
                        .controllerTopic(Topics.CONTROLLER.name())
                        .zookeeperConnect(cluster.zookeeperConnect())
                        .zookeeperRoot(zkRoot)
                        .zookeeperSessionTimeout(Duration.ofSeconds(6))
                        .zookeeperConnectionTimeout(Duration.ofSeconds(6))
                        .build());
        Clock clock = Clock.systemUTC();
        HeartbeatService heartbeats = new HeartbeatService(config, Map::of, elector::epoch, new SimpleMeterRegistry(),
                clock);
        Controller controller = Controller.create(config, elector, heartbeats, new SimpleMeterRegistry(), clock);
        closeables.add(controller);
        controller.start();
        // Active once it commits a change (of a tenant of its own).
        String probe = cluster.uniqueName("probe");
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            controller.changePlacement(new Placement(probe, "us-east", List.of("us-east"), 1, WriteState.ACTIVE,
                    ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY), "probe");
            return true;
        });
        return controller;
    }
}
