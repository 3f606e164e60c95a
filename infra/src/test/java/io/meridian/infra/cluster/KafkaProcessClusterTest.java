package io.meridian.infra.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real broker processes: racks, acks=all replication, kill -9 of a broker, full restart. */
@Tag("integration")
class KafkaProcessClusterTest {

    private static TestCluster shared;
    private static KafkaProcessCluster cluster;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // first use starts the shared cluster; slow on a loaded box
    static void startSharedCluster() {
        shared = SharedTestCluster.get();
        cluster = shared.requireProcessCluster();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void threeBrokersWithConfiguredRacksAndProductionFeatures() throws Exception {
        assertEquals(3, cluster.brokerCount());
        assertEquals(List.of("us-east", "eu-west", "ap-south"), cluster.racks());
        try (Admin admin = shared.admin()) {
            Map<Integer, String> rackById = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                    .collect(Collectors.toMap(Node::id, Node::rack));
            assertEquals(Map.of(0, "us-east", 1, "eu-west", 2, "ap-south"), rackById);

            Map<String, FinalizedVersionRange> features = admin.describeFeatures().featureMetadata()
                    .get(30, TimeUnit.SECONDS).finalizedFeatures();
            assertEquals(2, features.get("transaction.version").maxVersionLevel(), "transaction.version as in 4.1");
            assertTrue(features.containsKey("metadata.version"));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void replicatedTopicRoundTripWithAcksAll() throws Exception {
        String topic = shared.uniqueName("round-trip");
        shared.createTopic(topic, 3, Map.of());
        try (Admin admin = shared.admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            for (TopicPartitionInfo partition : description.partitions()) {
                Set<String> racks = partition.replicas().stream().map(Node::rack).collect(Collectors.toSet());
                assertEquals(3, racks.size(), "one replica per rack for " + partition);
            }
            String minIsr = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic)))
                    .all().get(30, TimeUnit.SECONDS).values().iterator().next().get("min.insync.replicas").value();
            assertEquals("2", minIsr);
        }
        try (KafkaProducer<String, String> producer = producer(shared.bootstrapServers(), Map.of())) {
            sendAll(producer, topic, 0, 100);
        }
        assertEquals(expectedValues(0, 100), consumeValues(shared.bootstrapServers(), topic, 100, false));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void acksAllWritesSucceedWhileOneBrokerIsKilled() throws Exception {
        String topic = shared.uniqueName("kill-one");
        shared.createTopic(topic, 6, Map.of());
        int victim;
        try (Admin admin = shared.admin()) {
            // The leader of partition 0, so the kill forces a leader election under the producer.
            victim = describe(admin, topic).partitions().get(0).leader().id();
        }
        try (KafkaProducer<String, String> producer = producer(shared.bootstrapServers(), Map.of())) {
            sendAll(producer, topic, 0, 50);
            long killedAt = System.nanoTime();
            cluster.killBroker(victim);
            assertFalse(cluster.isBrokerRunning(victim));
            sendAll(producer, topic, 50, 100);
            org.slf4j.LoggerFactory.getLogger(getClass()).info("50 acks=all sends done {} ms after kill -9 of broker {}",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), victim);
        } finally {
            cluster.startBroker(victim);
        }
        assertTrue(cluster.isBrokerRunning(victim));
        try (Admin admin = shared.admin()) {
            await("every partition back to three in-sync replicas").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> describe(admin, topic).partitions().stream().allMatch(p -> p.isr().size() == 3));
        }
        assertEquals(expectedValues(0, 100), consumeValues(shared.bootstrapServers(), topic, 100, false));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void gracefullyStoppedBrokerHandsOverLeadershipAndComesBack() throws Exception {
        String topic = shared.uniqueName("stop-one");
        shared.createTopic(topic, 3, Map.of());
        int stopped = 0;
        try {
            cluster.stopBroker(stopped);
            assertFalse(cluster.isBrokerRunning(stopped));
            try (Admin admin = shared.admin()) {
                // A controlled shutdown moved leadership away before the process exited; the other brokers
                // learn it from the metadata log within moments.
                await("no partition led by the stopped broker").atMost(Duration.ofSeconds(30))
                        .until(() -> describe(admin, topic).partitions().stream()
                                .noneMatch(p -> p.leader() == null || p.leader().id() == stopped));
            }
            try (KafkaProducer<String, String> producer = producer(shared.bootstrapServers(), Map.of())) {
                sendAll(producer, topic, 0, 20);
            }
        } finally {
            cluster.startBroker(stopped);
        }
        assertTrue(cluster.isBrokerRunning(stopped));
        assertEquals(expectedValues(0, 20), consumeValues(shared.bootstrapServers(), topic, 20, false));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void transactionalProducerCommitsAndAborts() throws Exception {
        String topic = shared.uniqueName("txn");
        shared.createTopic(topic, 2, Map.of());
        Map<String, Object> txn = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, shared.uniqueName("txn-id"));
        try (KafkaProducer<String, String> producer = producer(shared.bootstrapServers(), txn)) {
            producer.initTransactions();
            producer.beginTransaction();
            IntStream.range(0, 10).forEach(i -> producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
            producer.commitTransaction();
            producer.beginTransaction();
            IntStream.range(10, 15).forEach(i -> producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
            producer.abortTransaction();
            producer.beginTransaction();
            IntStream.range(15, 20).forEach(i -> producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
            producer.commitTransaction();
        }
        List<String> committed = new ArrayList<>(expectedValues(0, 10));
        committed.addAll(expectedValues(15, 20));
        assertEquals(committed, consumeValues(shared.bootstrapServers(), topic, 15, true));
    }

    @ParameterizedTest
    @EnumSource(ControllerLayout.class)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void fullStopAndStartOnTheSameDataDirectoryKeepsTopicsAndRecords(ControllerLayout layout,
            @TempDir Path dir) throws Exception {
        // A separate, small cluster: one broker (plus the controller in the dedicated layout).
        String topic = "durable";
        String bootstrap;
        String clusterId;
        try (KafkaProcessCluster small = smallCluster(dir, layout)) {
            small.start();
            bootstrap = small.bootstrapServers();
            clusterId = small.clusterId();
            try (Admin admin = admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of())) {
                sendAll(producer, topic, 0, 20);
            }
        }
        try (KafkaProcessCluster again = smallCluster(dir, layout)) {
            assertEquals(bootstrap, again.bootstrapServers(), "ports are reused");
            assertEquals(clusterId, again.clusterId(), "cluster id is reused");
            again.start();
            try (Admin admin = admin(bootstrap)) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic));
            }
            assertEquals(expectedValues(0, 20), consumeValues(bootstrap, topic, 20, false));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static KafkaProcessCluster smallCluster(Path dir, ControllerLayout layout) {
        return KafkaProcessClusterBuilder.forDataDir(dir).racks(List.of("us-east")).controllerLayout(layout).build();
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putAll(extra);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Sends {@code v<from>..v<to-1>} keyed by index and waits for every acknowledgement. */
    private static void sendAll(KafkaProducer<String, String> producer, String topic, int from, int to) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            // One partition for all: the order of values read back is then the order sent.
            acks.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(2, TimeUnit.MINUTES);
        }
    }

    private static List<String> expectedValues(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).collect(Collectors.toList());
    }

    /** Reads partition 0 from the beginning until {@code count} values arrived. */
    private static List<String> consumeValues(String bootstrap, String topic, int count, boolean readCommitted) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await("reading " + count + " records of " + topic).atMost(Duration.ofMinutes(2))
                    .pollDelay(Duration.ZERO)
                    .until(() -> {
                        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                            values.add(record.value());
                        }
                        return values.size() >= count;
                    });
        }
        return values;
    }
}
