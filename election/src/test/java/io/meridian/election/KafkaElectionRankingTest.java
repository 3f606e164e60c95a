package io.meridian.election;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.testing.Electors;
import io.meridian.election.testing.RecordingListener;
import io.meridian.election.testing.RecordingListener.Type;
import io.meridian.election.testing.Waits;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kafka backend elects the most up-to-date node: applied WAL position, then priority. */
@Tag("integration")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaElectionRankingTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    private static TestCluster cluster;
    private static String topic;
    private final List<LeaderElector> created = new ArrayList<>();
    private String group;

    @BeforeAll
    static void createControllerTopic() {
        cluster = SharedTestCluster.get();
        topic = cluster.uniqueName("election-ranking");
        cluster.createTopic(topic, 1, Map.of());
    }

    @BeforeEach
    void newGroup() {
        group = cluster.uniqueName("election-ranking-group");
    }

    @AfterEach
    void closeElectors() {
        created.forEach(LeaderElector::close);
    }

    @Test
    void shouldElectTheCandidateWithTheHigherAppliedPosition() {
        // The lagging node joins first and leads alone, with the higher priority even.
        LeaderElector lagging = started("lagging", 9, new AtomicLong(100));
        Electors.awaitStableLeader(List.of(lagging), BOUND);
        RecordingListener laggingEvents = new RecordingListener();
        lagging.addListener(laggingEvents);

        LeaderElector ahead = started("ahead", 0, new AtomicLong(200));
        LeaderElector leader = Electors.awaitStableLeader(List.of(lagging, ahead), BOUND);
        assertEquals("ahead", leader.self().nodeId());
        assertEquals("ahead", lagging.leader().orElseThrow().nodeId());
        Waits.within(Duration.ofSeconds(5)).until(() -> laggingEvents.count(Type.DEPOSED) == 1);
        assertTrue(laggingEvents.last(Type.DEPOSED).reason().contains("revoked"), laggingEvents.toString());
        assertEquals(List.of("ahead", "lagging"), lagging.liveNodes().stream().map(ElectionCandidate::nodeId).toList());
    }

    @Test
    void shouldElectTheHigherPriorityWhenPositionsAreEqual() {
        List<LeaderElector> three = List.of(
                started("p1", 1, new AtomicLong(50)),
                started("p5", 5, new AtomicLong(50)),
                started("p3", 3, new AtomicLong(50)));
        Waits.within(BOUND).until(() -> three.stream().allMatch(e -> e.liveNodes().size() == 3));
        LeaderElector leader = Electors.awaitStableLeader(three, BOUND);
        assertEquals("p5", leader.self().nodeId());
    }

    @Test
    void shouldRankByThePositionReadAtEachRebalance() {
        AtomicLong aPosition = new AtomicLong(10);
        LeaderElector a = started("a", 0, aPosition);
        LeaderElector b = started("b", 0, new AtomicLong(20));
        Waits.within(BOUND).until(() -> a.liveNodes().size() == 2);
        assertEquals("b", Electors.awaitStableLeader(List.of(a, b), BOUND).self().nodeId());
        // a catches up and overtakes; the next rebalance (a third node joins) re-ranks.
        aPosition.set(30);
        LeaderElector c = started("c", 0, new AtomicLong(0));
        Waits.within(BOUND).until(() -> c.liveNodes().size() == 3);
        LeaderElector leader = Electors.awaitStableLeader(List.of(a, b, c), BOUND);
        assertEquals("a", leader.self().nodeId());
    }

    private LeaderElector started(String nodeId, int priority, AtomicLong position) {
        LeaderElector e = LeaderElectors.create(ElectionConfigs.BACKEND_KAFKA, new ElectionCandidate(nodeId, "us-east",
                "http://" + nodeId, priority), ElectionSettings.builder()
                .kafkaClientProperties(cluster.clientConfig())
                .kafkaGroupId(group)
                .controllerTopic(topic)
                .kafkaSessionTimeout(KafkaLeaderElectorContractTest.SESSION_TIMEOUT)
                .appliedPosition(position::get)
                .build());
        created.add(e);
        e.start();
        return e;
    }
}
