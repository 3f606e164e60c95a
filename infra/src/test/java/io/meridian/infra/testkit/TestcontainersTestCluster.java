package io.meridian.infra.testkit;

import io.meridian.infra.cluster.EmbeddedZooKeeper;
import io.meridian.infra.cluster.KafkaProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The shared test cluster on Docker: one {@code apache/kafka} container per rack, each broker and
 * controller (static quorum over the containers' network aliases), configured like
 * {@link KafkaProcessCluster}. Brokers cannot be killed individually from tests:
 * {@link #processCluster()} is empty.
 */
final class TestcontainersTestCluster extends SharedTestCluster.AbstractTestCluster {

    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.4.0");
    /** KafkaContainer's controller listener port inside the container network. */
    private static final int CONTROLLER_PORT = 9094;

    private final Network network;
    private final List<KafkaContainer> containers;
    private final List<String> racks;

    private TestcontainersTestCluster(Network network, List<KafkaContainer> containers, List<String> racks,
            EmbeddedZooKeeper zooKeeper) {
        super(zooKeeper);
        this.network = network;
        this.containers = containers;
        this.racks = List.copyOf(racks);
    }

    /** Whether a Docker engine answers; false rather than an exception when none does. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Starts one container per rack and waits until every broker is registered and unfenced. */
    static TestcontainersTestCluster start(List<String> racks, EmbeddedZooKeeper zooKeeper) {
        int n = racks.size();
        String voters = IntStream.range(0, n).mapToObj(i -> i + "@broker-" + i + ":" + CONTROLLER_PORT)
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        String rf = Integer.toString(Math.min(3, n));
        String minIsr = Integer.toString(Math.min(2, n));
        Network network = Network.newNetwork();
        List<KafkaContainer> containers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            containers.add(new KafkaContainer(IMAGE)
                    .withNetwork(network)
                    .withNetworkAliases("broker-" + i)
                    .withEnv("CLUSTER_ID", clusterId)
                    .withEnv("KAFKA_NODE_ID", Integer.toString(i))
                    .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", voters)
                    .withEnv("KAFKA_BROKER_RACK", racks.get(i))
                    .withEnv("KAFKA_DEFAULT_REPLICATION_FACTOR", rf)
                    .withEnv("KAFKA_MIN_INSYNC_REPLICAS", minIsr)
                    .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", rf)
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", rf)
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", minIsr)
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .withEnv("KAFKA_BROKER_SESSION_TIMEOUT_MS", "3000")
                    .withEnv("KAFKA_BROKER_HEARTBEAT_INTERVAL_MS", "500")
                    .withStartupTimeout(Duration.ofMinutes(2)));
        }
        TestcontainersTestCluster cluster = new TestcontainersTestCluster(network, containers, racks, zooKeeper);
        try {
            // All at once: each node waits for a quorum of the others before it reports started.
            containers.parallelStream().forEach(GenericContainer::start);
            try (Admin admin = cluster.admin()) {
                Awaitility.await("all " + n + " brokers registered and unfenced")
                        .atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions()
                        .until(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == n);
            }
        } catch (RuntimeException e) {
            cluster.closeBrokers();
            throw e;
        }
        return cluster;
    }

    @Override
    public String bootstrapServers() {
        return containers.stream().map(KafkaContainer::getBootstrapServers).collect(Collectors.joining(","));
    }

    @Override
    public int brokerCount() {
        return containers.size();
    }

    @Override
    public List<String> racks() {
        return racks;
    }

    @Override
    public Optional<KafkaProcessCluster> processCluster() {
        return Optional.empty();
    }

    @Override
    public String kind() {
        return SharedTestCluster.TESTCONTAINERS;
    }

    @Override
    void closeBrokers() {
        try {
            containers.parallelStream().forEach(GenericContainer::stop);
        } finally {
            network.close();
        }
    }
}
