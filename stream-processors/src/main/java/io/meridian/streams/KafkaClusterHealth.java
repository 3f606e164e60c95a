package io.meridian.streams;

import java.util.Collection;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The brokers' health as the Admin client last saw it, over Meridian's topics: which brokers are alive, which brokers
 * hold replicas of a Meridian topic but are not alive (offline), and how many of those topics' partitions are
 * under-replicated (ISR smaller than the replica set) or offline (no leader). Immutable.
 *
 * @param atMillis                   when the brokers answered (the node's clock)
 * @param onlineBrokers              ids of the brokers the cluster metadata lists
 * @param offlineBrokers             ids of brokers named as replicas of a Meridian topic partition but not alive
 * @param underReplicatedPartitions  Meridian topic partitions whose ISR is smaller than their replica set
 * @param offlinePartitions          Meridian topic partitions without a leader
 */
public record KafkaClusterHealth(long atMillis, SortedSet<Integer> onlineBrokers, SortedSet<Integer> offlineBrokers,
                                 int underReplicatedPartitions, int offlinePartitions) {

    public KafkaClusterHealth {
        onlineBrokers = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(onlineBrokers));
        offlineBrokers = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(offlineBrokers));
    }

    /** Every broker alive and every partition fully replicated with a leader. */
    public boolean healthy() {
        return offlineBrokers.isEmpty() && underReplicatedPartitions == 0 && offlinePartitions == 0;
    }

    /** Judges {@code topics} against the {@code live} brokers. */
    public static KafkaClusterHealth of(long atMillis, Collection<Node> live, Collection<TopicDescription> topics) {
        Set<Integer> online = new TreeSet<>();
        live.forEach(node -> online.add(node.id()));
        SortedSet<Integer> offline = new TreeSet<>();
        int underReplicated = 0;
        int leaderless = 0;
        for (TopicDescription topic : topics) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                partition.replicas().forEach(replica -> {
                    if (!online.contains(replica.id())) {
                        offline.add(replica.id());
                    }
                });
                if (partition.isr().size() < partition.replicas().size()) {
                    underReplicated++;
                }
                if (partition.leader() == null || partition.leader().isEmpty()) {
                    leaderless++;
                }
            }
        }
        return new KafkaClusterHealth(atMillis, new TreeSet<>(online), offline, underReplicated, leaderless);
    }
}
