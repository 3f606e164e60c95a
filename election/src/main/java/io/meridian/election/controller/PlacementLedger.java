package io.meridian.election.controller;

import io.meridian.infra.model.Placement;
import io.meridian.infra.topics.LogEnds;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placements as this controller term has committed them: read to the end of {@code meridian.placements} right
 * after the term's producer fenced every earlier controller (so nothing of theirs can still commit), then advanced
 * by each of the term's own commits. Every change is planned from here, never from a view that may lag, so a tenant's
 * epochs strictly increase and no two fences carry one epoch. Thread-safe.
 */
public final class PlacementLedger {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementLedger.class);

    private final Map<String, Placement> placements = new ConcurrentHashMap<>();

    private PlacementLedger() {
    }

    public static PlacementLedger empty() {
        return new PlacementLedger();
    }

    /**
     * Reads every placement committed before the call (to the high watermark, see {@link LogEnds}); fails when that
     * cannot be done within {@code timeout}, say while a transaction stays open.
     */
    public static PlacementLedger read(Map<String, Object> kafkaClientProperties, String clientId, Duration timeout) {
        PlacementLedger ledger = new PlacementLedger();
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.PLACEMENTS.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = LogEnds.highWatermarks(kafkaClientProperties, partitions, timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.PLACEMENTS.name() + " to its end within "
                            + timeout.toMillis() + " ms");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ledger.load(record);
                }
            }
        }
        LOG.info("controller ledger read: {} placements", ledger.placements.size());
        return ledger;
    }

    private void load(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            Placement placement = Topics.PLACEMENTS.valueSerde().deserializer().deserialize(record.topic(),
                    record.value());
            placements.merge(placement.tenant(), placement, (a, b) -> b.epoch() > a.epoch() ? b : a);
        } catch (SerializationException e) {
            LOG.error("skipping unreadable placement {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    Optional<Placement> get(String tenant) {
        return Optional.ofNullable(placements.get(tenant));
    }

    Collection<Placement> all() {
        return List.copyOf(placements.values());
    }

    /**
     * Refuses {@code next} unless it is exactly one epoch above what this term committed for its tenant (or the
     * tenant's first placement, at epoch 1).
     *
     * @throws PlacementConflictException when it was planned from another epoch
     */
    void checkNext(Placement next) {
        long current = get(next.tenant()).map(Placement::epoch).orElse(0L);
        if (next.epoch() != current + 1) {
            throw new PlacementConflictException(next.tenant(), next.epoch(), current);
        }
    }

    void committed(Placement placement) {
        placements.put(placement.tenant(), placement);
    }
}
