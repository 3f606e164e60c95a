package io.meridian.election;

import io.meridian.election.testing.TestZooKeeper;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class ZooKeeperLeaderElectorContractTest extends LeaderElectorContractTest {
    private static TestZooKeeper zooKeeper;
    private String root;

    @BeforeAll
    static void startZooKeeper() {
        zooKeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        zooKeeper.close();
    }

    @BeforeEach
    void newRoot() {
        root = "/meridian-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    protected LeaderElector create(ElectionCandidate self) {
        return LeaderElectors.create("zookeeper", self, ElectionSettings.builder()
                .zookeeperConnect(zooKeeper.connectString())
                .zookeeperRoot(root)
                .zookeeperSessionTimeout(Duration.ofSeconds(3))
                .zookeeperConnectionTimeout(Duration.ofSeconds(3))
                .build());
    }

    @Override
    protected Duration electionBound() {
        return Duration.ofSeconds(10);
    }

    @Override
    protected Duration handoverBound() {
        // Measured 3-10 ms for a bare latch (FACTS.md); the epoch claim adds two round trips.
        return Duration.ofSeconds(2);
    }
}
