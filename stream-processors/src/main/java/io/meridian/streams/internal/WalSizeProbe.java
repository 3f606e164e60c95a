package io.meridian.streams.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Asks the brokers about the WAL: its size on disk ({@code Admin.describeLogDirs} over every broker) and its
 * partitions' end offsets ({@code Admin.listOffsets}). The size counts ONE replica of each partition, the largest
 * (normally the leader's; a lagging follower holds less, and dividing the sum of all replicas by the replication
 * factor would under-count while a replica is missing or being reassigned); replicas being moved between log
 * directories ("future" replicas) are ignored. Thread-safe; the caller owns the {@link Admin}.
 */
public final class WalSizeProbe {
    private final Admin admin;
    private final String topic;
    private final Duration timeout;
    private final AtomicLong lastSize = new AtomicLong(-1);

    public WalSizeProbe(Admin admin, String topic, Duration timeout) {
        this.admin = admin;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** Asks the brokers now and remembers the answer; throws when they do not answer within the timeout. */
    public long pollSize() {
        Collection<Node> brokers = get(admin.describeCluster().nodes());
        Map<Integer, Map<String, LogDirDescription>> dirs =
                get(admin.describeLogDirs(brokers.stream().map(Node::id).toList()).allDescriptions());
        long size = sizeOfOneReplicaEach(dirs, topic);
        lastSize.set(size);
        return size;
    }

    /** The size found by the last successful {@link #pollSize}, {@code -1} before the first. */
    public long lastSize() {
        return lastSize.get();
    }

    /**
     * Partition → end offset (the offset the next record will get; read-committed, so an open transaction's records
     * are not counted). Throws when the brokers do not answer within the timeout.
     */
    public Map<Integer, Long> endOffsets() {
        TopicDescription description = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        description.partitions().forEach(p ->
                request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<Integer, Long> offsets = new TreeMap<>();
        get(admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all())
                .forEach((tp, info) -> offsets.put(tp.partition(), info.offset()));
        return offsets;
    }

    /** The largest non-future replica of each partition of {@code topic}, summed. */
    public static long sizeOfOneReplicaEach(Map<Integer, Map<String, LogDirDescription>> dirsByBroker, String topic) {
        Map<Integer, Long> largest = new HashMap<>();
        dirsByBroker.values().forEach(dirs -> dirs.values().forEach(dir -> {
            for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                if (replica.getKey().topic().equals(topic) && !replica.getValue().isFuture()) {
                    largest.merge(replica.getKey().partition(), replica.getValue().size(), Math::max);
                }
            }
        }));
        return largest.values().stream().mapToLong(Long::longValue).sum();
    }

    private <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the brokers about " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the brokers could not describe " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the brokers did not describe " + topic + " within " + timeout, e);
        }
    }
}
