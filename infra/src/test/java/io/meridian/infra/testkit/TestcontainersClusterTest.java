package io.meridian.infra.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.cluster.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The Testcontainers backend of the shared cluster. Skipped (not failed) where no Docker engine is
 * reachable, as on the development machines.
 */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersClusterTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void startsThreeRackAwareBrokers(@TempDir Path dir) throws Exception {
        try (EmbeddedZooKeeper zooKeeper = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
                TestcontainersTestCluster cluster = TestcontainersTestCluster.start(SharedTestCluster.RACKS, zooKeeper);
                Admin admin = cluster.admin()) {
            Set<String> racks = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                    .map(Node::rack).collect(Collectors.toSet());
            assertEquals(Set.copyOf(SharedTestCluster.RACKS), racks);
        }
    }
}
