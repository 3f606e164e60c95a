package io.meridian.infra.topics;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic as Meridian uses it: name, key and value serdes, partitions, replication factor and topic configs.
 * Immutable; {@link #withLayout} derives the same topic for another cluster size.
 */
public record Topic<K, V>(
        String name,
        Serde<K> keySerde,
        Serde<V> valueSerde,
        int partitions,
        short replicationFactor,
        Map<String, String> configs) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least one partition and one replica");
        }
        configs = Map.copyOf(configs);
    }

    public boolean compacted() {
        return TopicConfig.CLEANUP_POLICY_COMPACT.equals(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
    }

    /** This topic with another partition count, replication factor and {@code min.insync.replicas}. */
    public Topic<K, V> withLayout(int newPartitions, short newReplicationFactor, int minInsyncReplicas) {
        var newConfigs = new java.util.HashMap<>(configs);
        newConfigs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
        return new Topic<>(name, keySerde, valueSerde, newPartitions, newReplicationFactor, newConfigs);
    }

    @Override
    public String toString() {
        return name;
    }
}
