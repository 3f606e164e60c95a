package io.meridian.infra.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent topic provisioning: creates the catalog's missing topics and verifies the ones that exist (partitions,
 * replication factor, cleanup policy, {@code min.insync.replicas}). Fails with a {@link TopicLayoutException} that
 * says what is wrong and what to do, and creates nothing when the cluster cannot hold the layout.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_SECONDS = 60;
    /** How long a just (re)started cluster may take to register all of its brokers. */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(30);

    private final Admin admin;
    private final Duration settle;

    public TopicProvisioner(Admin admin) {
        this(admin, DEFAULT_SETTLE);
    }

    /** @param settle how long to wait for enough brokers to register before refusing a replication factor */
    public TopicProvisioner(Admin admin, Duration settle) {
        this.admin = admin;
        this.settle = settle;
    }

    /** Creates what is missing, verifies what exists. Safe to run concurrently from several nodes. */
    public void provision(Collection<Topic<?, ?>> topics) {
        short neededReplication = topics.stream().map(Topic::replicationFactor).max(Short::compare).orElse((short) 1);
        awaitBrokers(neededReplication);
        Set<String> existing = call(admin.listTopics().names());
        List<NewTopic> missing = topics.stream()
                .filter(t -> !existing.contains(t.name()))
                .map(t -> new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.configs()))
                .toList();
        if (!missing.isEmpty()) {
            var results = admin.createTopics(missing).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    LOG.info("created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {  // another node won the race: verify below
                        throw new TopicLayoutException("cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TopicLayoutException("interrupted while creating topics", e);
                } catch (TimeoutException e) {
                    throw new TopicLayoutException("creating topic " + entry.getKey() + " timed out after "
                            + TIMEOUT_SECONDS + " s", e);
                }
            }
        }
        verify(topics);
    }

    private void verify(Collection<Topic<?, ?>> topics) {
        Map<String, TopicDescription> descriptions = describeWhenKnown(topics);
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        Map<ConfigResource, Config> configs = whenKnown(() -> call(admin.describeConfigs(resources).all()));
        List<String> problems = new ArrayList<>();
        for (Topic<?, ?> topic : topics) {
            TopicDescription description = descriptions.get(topic.name());
            int partitions = description.partitions().size();
            if (partitions != topic.partitions()) {
                problems.add(topic.name() + " has " + partitions + " partitions, expected " + topic.partitions()
                        + " (tenants map to partitions by hash: changing the count moves them; recreate the topic"
                        + " or configure the count it has)");
            }
            int replication = description.partitions().get(0).replicas().size();
            if (replication < topic.replicationFactor()) {
                problems.add(topic.name() + " has replication factor " + replication + ", expected "
                        + topic.replicationFactor() + " (reassign partitions to add replicas)");
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            String expectedPolicy = topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (expectedPolicy != null && !expectedPolicy.equals(policy)) {
                problems.add(topic.name() + " has cleanup.policy=" + policy + ", expected " + expectedPolicy
                        + " (kafka-configs --alter --entity-type topics --entity-name " + topic.name()
                        + " --add-config cleanup.policy=" + expectedPolicy + ")");
            }
            String minIsr = config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value();
            String expectedMinIsr = topic.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            if (expectedMinIsr != null && Integer.parseInt(minIsr) < Integer.parseInt(expectedMinIsr)) {
                problems.add(topic.name() + " has min.insync.replicas=" + minIsr + ", expected at least "
                        + expectedMinIsr + " (acknowledged writes need it)");
            }
        }
        if (!problems.isEmpty()) {
            throw new TopicLayoutException("topics do not match the catalog:\n  - "
                    + problems.stream().collect(Collectors.joining("\n  - ")));
        }
    }

    /**
     * Waits (bounded) until {@code needed} brokers are registered: right after a (re)start a broker may still be
     * registering although it answers, and a settling cluster must not make provisioning fail.
     */
    private void awaitBrokers(short needed) {
        long deadline = System.nanoTime() + settle.toNanos();
        int brokers = call(admin.describeCluster().nodes()).size();
        while (brokers < needed && System.nanoTime() < deadline) {
            pause();
            brokers = call(admin.describeCluster().nodes()).size();
        }
        if (brokers < needed) {
            throw new TopicLayoutException("replication factor " + needed + " needs " + needed
                    + " brokers, but the cluster has " + brokers + " (waited " + settle.toSeconds()
                    + " s for more to register): add brokers or lower topics.replication.factor (and"
                    + " topics.min.insync.replicas)");
        }
    }

    /** Describes the topics once every broker asked knows them (metadata propagates asynchronously). */
    private Map<String, TopicDescription> describeWhenKnown(Collection<Topic<?, ?>> topics) {
        List<String> names = topics.stream().map(Topic::name).toList();
        return whenKnown(() -> call(admin.describeTopics(names).allTopicNames()));
    }

    /**
     * Runs {@code request} again while it fails because a broker does not know a topic yet: metadata and configs of a
     * topic just created reach every broker asynchronously, so a describe right after a create may say it is unknown.
     */
    private static <T> T whenKnown(Supplier<T> request) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                return request.get();
            } catch (TopicLayoutException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicLayoutException("interrupted while waiting for the cluster", e);
        }
    }

    private static <T> T call(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicLayoutException("interrupted while talking to Kafka", e);
        } catch (ExecutionException e) {
            throw new TopicLayoutException("Kafka refused a topic request: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TopicLayoutException("Kafka did not answer within " + TIMEOUT_SECONDS
                    + " s: check kafka.bootstrap.servers", e);
        }
    }

    /** The cluster's topics cannot hold, or do not match, the catalog. */
    public static final class TopicLayoutException extends RuntimeException {
        public TopicLayoutException(String message) {
            super(message);
        }

        public TopicLayoutException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
