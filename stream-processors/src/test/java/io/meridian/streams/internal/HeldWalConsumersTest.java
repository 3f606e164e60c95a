package io.meridian.streams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applier's client supplier, without a broker: what it builds and what its WAL consumer's poll does. */
class HeldWalConsumersTest {
    private static final TopicPartition WAL_0 = new TopicPartition("meridian.wal", 0);

    @TempDir
    java.nio.file.Path stateDir;

    @Test
    void shouldBuildEveryClientAKafkaStreamsInstanceAsks() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "held-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // The constructor asks the supplier for its admin client (the interface's default throws).
        new KafkaStreams(builder.build(), props, new HeldWalConsumers(() -> false)).close(Duration.ofSeconds(5));
    }

    @Test
    void shouldPauseEveryAssignedPartitionWhileHeldAndResumeThemAfter() {
        AtomicBoolean held = new AtomicBoolean(true);
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        try (Consumer<byte[], byte[]> consumer = new HeldWalConsumers(held::get).getConsumer(config)) {
            assertInstanceOf(HeldWalConsumers.HeldConsumer.class, consumer);
            consumer.assign(List.of(WAL_0));
            consumer.poll(Duration.ZERO);
            assertEquals(Set.of(WAL_0), consumer.paused());
            consumer.resume(List.of(WAL_0));  // as Streams does for partitions with room: the next poll pauses again
            consumer.poll(Duration.ZERO);
            assertEquals(Set.of(WAL_0), consumer.paused());

            held.set(false);
            consumer.poll(Duration.ZERO);
            assertEquals(Set.of(), consumer.paused());
        }
    }
}
