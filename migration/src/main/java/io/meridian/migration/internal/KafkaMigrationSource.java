package io.meridian.migration.internal;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.topics.LogEnds;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
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
 * {@link MigrationSource} on Kafka: a small {@link Admin} client for WAL end offsets, and a short-lived group-less
 * {@code read_committed} consumer per {@link #readAll()}. Records that cannot be read are logged and skipped (they
 * cannot belong to a migration this executor wrote). Not thread-safe; {@link #close()} is idempotent.
 */
public final class KafkaMigrationSource implements MigrationSource {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMigrationSource.class);

    private final Map<String, Object> clientProperties;
    private static final Duration MAX_OFFSETS_TIMEOUT = Duration.ofSeconds(5);

    private final Duration timeout;
    private final Duration offsetsTimeout;
    private final Admin admin;
    private boolean closed;

    /**
     * @param kafkaClientProperties base client properties ({@code bootstrap.servers} at least)
     * @param timeout               bound for one read of the log; an offsets request gets at most 5 s of it (it runs
     *                              on the controller's duties thread every heartbeat interval)
     */
    public KafkaMigrationSource(Map<String, Object> kafkaClientProperties, Duration timeout) {
        this.clientProperties = Map.copyOf(kafkaClientProperties);
        this.timeout = timeout;
        this.offsetsTimeout = timeout.compareTo(MAX_OFFSETS_TIMEOUT) < 0 ? timeout : MAX_OFFSETS_TIMEOUT;
        Map<String, Object> adminProps = new HashMap<>(kafkaClientProperties);
        adminProps.remove("client.rack");  // a consumer setting; the admin client warns about it
        adminProps.putIfAbsent("client.id", "meridian-migration-admin");
        this.admin = Admin.create(adminProps);
    }

    @Override
    public List<MigrationEvent> readAll() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-migration-replay");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        Deserializer<MigrationEvent> values = Topics.MIGRATIONS.valueSerde().deserializer();
        String topic = Topics.MIGRATIONS.name();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            List<TopicPartition> partitions = infos == null ? List.of()
                    : infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, List<MigrationEvent>> byPartition = new LinkedHashMap<>();
            partitions.forEach(p -> byPartition.put(p, new ArrayList<>()));
            if (partitions.isEmpty()) {
                LOG.warn("topic {} has no partitions (not provisioned yet?): no migrations to rebuild", topic);
                return List.of();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Everything committed so far, also a commit whose markers are still on their way (see LogEnds).
            Map<TopicPartition, Long> end = LogEnds.highWatermarks(clientProperties, partitions, timeout);
            int records = 0;
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end + " within "
                            + timeout.toMillis() + " ms");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    try {
                        MigrationEvent event = values.deserialize(topic, record.value());
                        if (event != null) {
                            byPartition.get(new TopicPartition(topic, record.partition())).add(event);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("skipping unreadable migration event at {}:{}: {}", record.partition(),
                                record.offset(), e.toString());
                    }
                }
            }
            LOG.info("read {} records of {} up to {}", records, topic, end.entrySet().stream()
                    .map(e -> e.getKey().partition() + ":" + e.getValue()).collect(Collectors.joining(",")));
            return byPartition.values().stream().flatMap(List::stream).toList();
        } catch (KafkaException e) {
            throw new IllegalStateException("cannot read " + topic + ": " + e.getMessage(), e);
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Map<Integer, Long> walEndOffsets(Collection<Integer> partitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(new TopicPartition(Topics.WAL.name(), p), OffsetSpec.latest()));
        try {
            Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(offsetsTimeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<Integer, Long> offsets = new HashMap<>();
            result.forEach((tp, info) -> offsets.put(tp.partition(), info.offset()));
            return offsets;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the WAL end offsets", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + Topics.WAL.name() + " partitions "
                    + partitions + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            admin.close(Duration.ofSeconds(5));
        }
    }
}
