package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicTrafficTest {

    @Test
    void shouldCountMarkersAsTheOffsetsNoRecordWasReadFrom() {
        // 130 offsets used, 100 data records read back: 30 transaction markers.
        PartitionTraffic p = new PartitionTraffic("changelog", 3, 1_000, 1_130, 100, 9_000);
        assertEquals(130, p.offsets());
        assertEquals(30, p.markers());
    }

    @Test
    void shouldSumPartitionsPerTopicMostRecordsFirst() {
        List<TopicTraffic> topics = TopicTraffic.byTopic(List.of(
                new PartitionTraffic("meridian.wal", 0, 10, 15, 5, 1_500),
                new PartitionTraffic("app-docs-changelog", 0, 0, 8, 6, 600),
                new PartitionTraffic("app-docs-changelog", 1, 100, 109, 7, 700),
                new PartitionTraffic("meridian.wal", 1, 20, 26, 6, 1_800),
                new PartitionTraffic("meridian.dlq", 0, 42, 42, 0, 0)));
        assertEquals(List.of(new TopicTraffic("app-docs-changelog", 13, 4, 1_300),
                new TopicTraffic("meridian.wal", 11, 0, 3_300)), topics, "idle topics are left out");
        assertEquals(new TopicTraffic(TopicTraffic.TOTAL, 24, 4, 4_600), TopicTraffic.total(topics));
    }

    @Test
    void shouldOrderTopicsWithAsManyRecordsByName() {
        List<TopicTraffic> topics = TopicTraffic.byTopic(List.of(new PartitionTraffic("b", 0, 0, 2, 2, 2),
                new PartitionTraffic("a", 0, 0, 2, 2, 2)));
        assertEquals(List.of("a", "b"), topics.stream().map(TopicTraffic::topic).toList());
    }
}
