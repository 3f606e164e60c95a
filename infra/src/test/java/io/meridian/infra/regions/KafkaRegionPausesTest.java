package io.meridian.infra.regions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.RegionPause;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two nodes' views of {@code meridian.regions} on real brokers. */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaRegionPausesTest {
    private final TestCluster cluster = SharedTestCluster.get();

    @Test
    void shouldSeeAnotherNodesPublicationOnceCaughtUp() throws Exception {
        try (Admin admin = cluster.admin()) {
            new TopicProvisioner(admin).provision(List.of(Topics.REGIONS));
        }
        try (KafkaRegionPauses first = new KafkaRegionPauses(cluster.clientConfig(), "pauses-first");
             KafkaRegionPauses second = new KafkaRegionPauses(cluster.clientConfig(), "pauses-second")) {
            first.start(Duration.ofSeconds(30));
            second.start(Duration.ofSeconds(30));
            for (int i = 0; i < 20; i++) {
                // A region of its own per round: each round asks whether the second node saw a brand-new intent.
                String region = cluster.uniqueName("paused").replaceAll("[^a-z0-9-]", "-");
                first.publish(new RegionPause(region, true, 1_000L + i, "round " + i, "first"))
                        .get(30, TimeUnit.SECONDS);
                second.caughtUp().get(30, TimeUnit.SECONDS);
                RegionPause seen = second.state(region);
                assertTrue(seen.paused(), "round " + i + ": the second node saw the first one's pause");
                assertEquals("round " + i, seen.reason());
            }
        }
    }
}
