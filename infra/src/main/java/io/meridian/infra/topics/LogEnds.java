package io.meridian.infra.topics;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a {@code read_committed} reader has to get to before it has seen every transaction committed so far.
 *
 * <p>Not its own {@code endOffsets}: for a {@code read_committed} consumer those are last stable offsets, and a
 * transaction keeps the last stable offset below its first record until the coordinator has written its commit
 * marker, which happens after {@code commitTransaction()} has returned. A read to the last stable offset can so miss,
 * without a word, records whose commit was already acknowledged. The high watermark has no such gap: a
 * {@code read_committed} consumer reaches it only once every transaction below it is decided, and then has read every
 * committed record below it.
 */
public final class LogEnds {
    private LogEnds() {
    }

    /** The high watermarks of {@code partitions}, through a short-lived {@code read_uncommitted} consumer. */
    public static Map<TopicPartition, Long> highWatermarks(Map<String, Object> kafkaClientProperties,
                                                           Collection<TopicPartition> partitions, Duration timeout) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.CLIENT_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return consumer.endOffsets(partitions, timeout);
        }
    }
}
