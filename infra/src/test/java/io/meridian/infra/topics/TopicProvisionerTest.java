package io.meridian.infra.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TopicProvisionerTest {
    private final TestCluster cluster = SharedTestCluster.get();

    private Topic<String, String> topic(String name, int partitions, short replication, Map<String, String> configs) {
        return new Topic<>(name, Serdes.String(), Serdes.String(), partitions, replication, configs);
    }

    @Test
    void shouldCreateWhatIsMissingAndAcceptItOnTheNextRun() throws Exception {
        Topic<String, String> log = topic(cluster.uniqueName("prov-log"), 4, (short) 3,
                Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"));
        Topic<String, String> view = topic(cluster.uniqueName("prov-view"), 2, (short) 3,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"));
        try (Admin admin = cluster.admin()) {
            TopicProvisioner provisioner = new TopicProvisioner(admin);
            provisioner.provision(List.of(log, view));
            provisioner.provision(List.of(log, view));  // idempotent: verifies, creates nothing

            TopicDescription description = admin.describeTopics(List.of(log.name())).allTopicNames().get()
                    .get(log.name());
            assertEquals(4, description.partitions().size());
            assertEquals(3, description.partitions().get(0).replicas().size());
            var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, view.name())))
                    .all().get().values().iterator().next();
            assertEquals("compact", config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
            assertEquals("2", config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value());
        }
    }

    @Test
    void shouldRefuseAReplicationFactorTheClusterCannotHoldAndCreateNothing() throws Exception {
        Topic<String, String> tooWide = topic(cluster.uniqueName("prov-wide"), 1, (short) 4, Map.of());
        try (Admin admin = cluster.admin()) {
            var e = assertThrows(TopicProvisioner.TopicLayoutException.class,
                    () -> new TopicProvisioner(admin, java.time.Duration.ofSeconds(1)).provision(List.of(tooWide)));
            assertEquals("replication factor 4 needs 4 brokers, but the cluster has 3 (waited 1 s for more to"
                    + " register): add brokers or lower"
                    + " topics.replication.factor (and topics.min.insync.replicas)", e.getMessage());
            Set<String> names = admin.listTopics().names().get();
            assertTrue(!names.contains(tooWide.name()), "nothing was created");
        }
    }

    @Test
    void shouldNameEveryMismatchOfAnExistingTopic() throws Exception {
        String name = cluster.uniqueName("prov-mismatch");
        cluster.createTopic(name, 2, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
        Topic<String, String> expected = topic(name, 3, (short) 3,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try (Admin admin = cluster.admin()) {
            var e = assertThrows(TopicProvisioner.TopicLayoutException.class,
                    () -> new TopicProvisioner(admin).provision(List.of(expected)));
            assertTrue(e.getMessage().contains(name + " has 2 partitions, expected 3"), e.getMessage());
            assertTrue(e.getMessage().contains(name + " has cleanup.policy=delete, expected compact"), e.getMessage());
        }
    }
}
