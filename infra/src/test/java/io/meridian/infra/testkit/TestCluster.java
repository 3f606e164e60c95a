package io.meridian.infra.testkit;

import io.meridian.infra.cluster.EmbeddedZooKeeper;
import io.meridian.infra.cluster.KafkaProcessCluster;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Assumptions;

/**
 * What an integration test gets from {@link SharedTestCluster#get()}: a running Kafka cluster (three
 * brokers on racks us-east, eu-west, ap-south in the default embedded mode) and a ZooKeeper server.
 *
 * <p>The cluster is shared by every test of the JVM: give topics and groups unique names
 * ({@link #uniqueName(String)}), and a test that kills or stops a broker must start it again before it
 * ends. Implementations are thread-safe.
 */
public interface TestCluster {

    /** {@code bootstrap.servers} for clients. */
    String bootstrapServers();

    /** ZooKeeper connect string ({@code 127.0.0.1:port}). */
    String zookeeperConnect();

    int brokerCount();

    /** The rack of each broker, by broker index. */
    List<String> racks();

    /** The process cluster, for fault tests (kill -9 a broker); empty on the Testcontainers backend. */
    Optional<KafkaProcessCluster> processCluster();

    /** The ZooKeeper server, for outage tests (stop/restart). */
    EmbeddedZooKeeper zooKeeper();

    /** Which backend runs the brokers: {@code embedded} or {@code testcontainers}. */
    String kind();

    /**
     * The process cluster, or abort (skip) the calling test when the backend cannot kill brokers.
     */
    default KafkaProcessCluster requireProcessCluster() {
        Optional<KafkaProcessCluster> cluster = processCluster();
        Assumptions.assumeTrue(cluster.isPresent(), () -> "needs broker processes; backend is " + kind());
        return cluster.orElseThrow();
    }

    /** The replication factor production uses, capped by the broker count: {@code min(3, N)}. */
    default int replicationFactor() {
        return Math.min(3, brokerCount());
    }

    /** {@code min.insync.replicas} matching {@link #replicationFactor()}: {@code min(2, N)}. */
    default int minInsyncReplicas() {
        return Math.min(2, brokerCount());
    }

    /** A name no other test of this cluster uses: {@code prefix-<random>}. */
    default String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Client properties with {@code bootstrap.servers} set; add your own on a copy. */
    default Map<String, Object> clientConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /** A new admin client on this cluster; the caller closes it. */
    default Admin admin() {
        return Admin.create(clientConfig());
    }

    /**
     * Creates a topic with {@link #replicationFactor()} replicas, {@code min.insync.replicas} =
     * {@link #minInsyncReplicas()} plus {@code configs}, and waits until the creation completed and the brokers know
     * the topic: the controller acknowledges a creation before every broker has the new metadata, and a describe
     * that reached a broker without it failed with {@code UnknownTopicOrPartitionException} (KafkaProcessClusterTest,
     * once in many runs).
     */
    default void createTopic(String name, int partitions, Map<String, String> configs) {
        Map<String, String> all = new java.util.HashMap<>();
        all.put("min.insync.replicas", Integer.toString(minInsyncReplicas()));
        all.putAll(configs);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor()).configs(all)))
                    .all().get(60, TimeUnit.SECONDS);
            awaitKnown(admin, name, partitions);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name + " on " + bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /**
     * Waits until {@code brokerCount()} describes in a row (the admin client asks the least loaded broker, so they
     * spread over the brokers) found every partition of {@code name} with a leader.
     */
    private void awaitKnown(Admin admin, String name, int partitions) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int inARow = 0;
        while (inARow < brokerCount()) {
            try {
                var description = admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(name);
                boolean ready = description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null);
                inARow = ready ? inARow + 1 : 0;
            } catch (ExecutionException e) {
                inARow = 0;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topic " + name + " not known to the brokers of " + bootstrapServers()
                        + " within 60 s of its creation");
            }
            if (inARow == 0) {
                Thread.sleep(50);
            }
        }
    }
}
