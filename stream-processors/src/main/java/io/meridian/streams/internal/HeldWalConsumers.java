package io.meridian.streams.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * The applier's Kafka clients, Kafka's defaults except that the main consumer (the one that reads the WAL) fetches
 * nothing while {@code held} says so: before each poll it pauses every partition it is assigned, so no WAL record
 * reaches a task. Restoration (the restore consumer) and the global store (the global consumer) are not held, and the
 * consumer keeps polling, so the member keeps its group membership, heartbeats and partitions.
 *
 * <p>Why: a region paused while its node starts must not apply anything, yet its stores must be restored so that
 * reads go on. {@code KafkaStreams#pause()} before {@code start()} keeps tasks from restoring at all (the state
 * updater pauses them before it restores them), and {@code pause()} once {@code RUNNING} is too late: with the state
 * updater, a stream thread processes the tasks restored first while others still restore. Holding the WAL fetches
 * covers both. While held, Streams may resume partitions it paused for back-pressure; the next poll pauses them
 * again. When the hold ends, the next poll resumes every assigned partition (Streams pauses again what it wants
 * paused). Thread-safe as Kafka's clients are; one consumer per stream thread.
 */
public final class HeldWalConsumers implements KafkaClientSupplier {
    private final BooleanSupplier held;

    public HeldWalConsumers(BooleanSupplier held) {
        this.held = held;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);  // the interface's default throws
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new HeldConsumer(config, held);
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A consumer whose poll fetches nothing while held. Used by one stream thread only. */
    static final class HeldConsumer extends KafkaConsumer<byte[], byte[]> {
        private final BooleanSupplier held;
        private boolean holding;

        HeldConsumer(Map<String, Object> config, BooleanSupplier held) {
            super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.held = held;
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            Set<TopicPartition> assigned = assignment();
            if (held.getAsBoolean()) {
                holding = true;
                if (!assigned.isEmpty()) {
                    pause(assigned);
                }
            } else if (holding) {
                holding = false;
                resume(assigned);
            }
            return super.poll(timeout);
        }
    }
}
