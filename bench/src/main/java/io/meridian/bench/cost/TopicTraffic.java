package io.meridian.bench.cost;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@link PartitionTraffic} summed over a topic's partitions. Immutable. */
public record TopicTraffic(String topic, long records, long markers, long bytes) {

    /** Name of the row {@link #total} returns. */
    public static final String TOTAL = "total";

    /** One entry per topic that received anything, most records first (ties by name). */
    public static List<TopicTraffic> byTopic(Collection<PartitionTraffic> partitions) {
        Map<String, long[]> sums = new TreeMap<>();
        for (PartitionTraffic p : partitions) {
            if (p.offsets() == 0) {
                continue;
            }
            long[] sum = sums.computeIfAbsent(p.topic(), t -> new long[3]);
            sum[0] += p.records();
            sum[1] += p.markers();
            sum[2] += p.bytes();
        }
        List<TopicTraffic> topics = new ArrayList<>();
        sums.forEach((topic, sum) -> topics.add(new TopicTraffic(topic, sum[0], sum[1], sum[2])));
        topics.sort(Comparator.comparingLong(TopicTraffic::records).reversed().thenComparing(TopicTraffic::topic));
        return topics;
    }

    /** The sum of {@code topics}, named {@link #TOTAL}. */
    public static TopicTraffic total(Collection<TopicTraffic> topics) {
        return new TopicTraffic(TOTAL, topics.stream().mapToLong(TopicTraffic::records).sum(),
                topics.stream().mapToLong(TopicTraffic::markers).sum(),
                topics.stream().mapToLong(TopicTraffic::bytes).sum());
    }
}
