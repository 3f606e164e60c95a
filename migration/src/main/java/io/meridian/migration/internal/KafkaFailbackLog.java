package io.meridian.migration.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FailbackLog} on Kafka: one group-less {@code read_committed} consumer of {@code meridian.controller} and
 * {@code meridian.migrations}, kept for the term. Records that are neither failovers nor failback events are skipped;
 * unreadable ones are logged and skipped. Not thread-safe; {@link #close()} is idempotent.
 */
public final class KafkaFailbackLog implements FailbackLog {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaFailbackLog.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Duration timeout;
    private final Deserializer<MigrationEvent> migrations = Topics.MIGRATIONS.valueSerde().deserializer();
    private boolean started;
    private boolean closed;

    /** @param timeout bound for the first read to the end of both topics */
    public KafkaFailbackLog(Map<String, Object> kafkaClientProperties, Duration timeout) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-failback-log");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    @Override
    public Batch read() {
        try {
            if (!started) {
                return readToEnd();
            }
            List<FailoverEvent> failovers = new ArrayList<>();
            List<MigrationEvent.Failback> failbacks = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                parse(record, failovers, failbacks);
            }
            return new Batch(failovers, failbacks);
        } catch (KafkaException e) {
            throw new IllegalStateException("cannot read the failover and failback events: " + e.getMessage(), e);
        }
    }

    private Batch readToEnd() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.CONTROLLER.name(), Topics.MIGRATIONS.name())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos != null) {
                infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<FailoverEvent> failovers = new ArrayList<>();
        List<MigrationEvent.Failback> failbacks = new ArrayList<>();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the failover and failback events to " + end
                        + " within " + timeout.toMillis() + " ms");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                parse(record, failovers, failbacks);
            }
        }
        started = true;
        return new Batch(failovers, failbacks);
    }

    private void parse(ConsumerRecord<String, byte[]> record, List<FailoverEvent> failovers,
                       List<MigrationEvent.Failback> failbacks) {
        if (record.value() == null) {
            return;
        }
        try {
            if (record.topic().equals(Topics.CONTROLLER.name())) {
                JsonNode value = Json.readTree(record.value());
                if (FailoverEvent.TYPE.equals(value.path("type").asText())) {
                    failovers.add(Json.MAPPER.treeToValue(value, FailoverEvent.class));
                }
            } else if (migrations.deserialize(record.topic(), record.value()) instanceof MigrationEvent.Failback f) {
                failbacks.add(f);
            }
        } catch (RuntimeException | JsonProcessingException e) {
            LOG.warn("failback log skips an unreadable record at {}-{}:{}: {}", record.topic(), record.partition(),
                    record.offset(), e.toString());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
