package io.meridian.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

class KafkaClusterHealthTest {
    private static final Node B1 = new Node(1, "h1", 9092);
    private static final Node B2 = new Node(2, "h2", 9092);
    private static final Node B3 = new Node(3, "h3", 9092);

    private static TopicPartitionInfo partition(int id, Node leader, List<Node> isr) {
        return new TopicPartitionInfo(id, leader, List.of(B1, B2, B3), isr);
    }

    @Test
    void shouldBeHealthyWhenEveryReplicaIsInSyncOnALiveBroker() {
        TopicDescription wal = new TopicDescription("meridian.wal", false,
                List.of(partition(0, B1, List.of(B1, B2, B3)), partition(1, B2, List.of(B2, B3, B1))));
        KafkaClusterHealth health = KafkaClusterHealth.of(5, List.of(B1, B2, B3), List.of(wal));
        assertTrue(health.healthy());
        assertEquals(Set.of(1, 2, 3), health.onlineBrokers());
        assertEquals(Set.of(), health.offlineBrokers());
    }

    @Test
    void shouldNameADeadBrokerAndCountItsPartitions() {
        // Broker 3 died: the metadata no longer lists it, its replicas left the ISR, partition 1 has no leader.
        TopicDescription wal = new TopicDescription("meridian.wal", false,
                List.of(partition(0, B1, List.of(B1, B2)), partition(1, null, List.of()),
                        partition(2, B2, List.of(B1, B2, B3))));
        KafkaClusterHealth health = KafkaClusterHealth.of(5, List.of(B1, B2), List.of(wal));
        assertFalse(health.healthy());
        assertEquals(Set.of(3), health.offlineBrokers());
        assertEquals(2, health.underReplicatedPartitions());
        assertEquals(1, health.offlinePartitions());
    }
}
