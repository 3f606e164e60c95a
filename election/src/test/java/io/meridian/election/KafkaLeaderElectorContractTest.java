package io.meridian.election;

import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class KafkaLeaderElectorContractTest extends LeaderElectorContractTest {
    /** The brokers' group.min.session.timeout.ms (Kafka's default). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

    private static TestCluster cluster;
    private static String topic;
    private String group;

    @BeforeAll
    static void createControllerTopic() {
        cluster = SharedTestCluster.get();
        topic = cluster.uniqueName("election-controller");
        cluster.createTopic(topic, 1, Map.of());
    }

    @BeforeEach
    void newGroup() {
        group = cluster.uniqueName("election-group");
    }

    @Override
    protected LeaderElector create(ElectionCandidate self) {
        return LeaderElectors.create("kafka", self, ElectionSettings.builder()
                .kafkaClientProperties(cluster.clientConfig())
                .kafkaGroupId(group)
                .controllerTopic(topic)
                .kafkaSessionTimeout(SESSION_TIMEOUT)
                .build());
    }

    @Override
    protected Duration electionBound() {
        return Duration.ofSeconds(30);
    }

    @Override
    protected Duration handoverBound() {
        // LeaveGroup starts the rebalance at once; the others learn of it with their next heartbeat (600 ms).
        return SESSION_TIMEOUT;
    }
}
