package io.meridian.streams.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.streams.internal.WalSizeProbe;
import java.util.Map;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The WAL's size is one replica of each partition: the largest, ignoring other topics and future replicas. */
class WalSizeProbeTest {
    private static TopicPartition wal(int partition) {
        return new TopicPartition("meridian.wal", partition);
    }

    @Test
    void shouldSumTheLargestReplicaOfEachWalPartition() {
        Map<Integer, Map<String, LogDirDescription>> dirs = Map.of(
                1, Map.of("/data/a", new LogDirDescription(null, Map.of(
                        wal(0), new ReplicaInfo(100, 0, false),
                        wal(1), new ReplicaInfo(40, 10, false),
                        new TopicPartition("meridian.placements", 0), new ReplicaInfo(999, 0, false)))),
                2, Map.of("/data/a", new LogDirDescription(null, Map.of(
                                wal(0), new ReplicaInfo(90, 10, false))),
                        "/data/b", new LogDirDescription(null, Map.of(
                                wal(1), new ReplicaInfo(50, 0, false),
                                wal(2), new ReplicaInfo(5_000, 0, true)))),  // being moved: not counted
                3, Map.of());

        assertEquals(100 + 50, WalSizeProbe.sizeOfOneReplicaEach(dirs, "meridian.wal"));
    }
}
