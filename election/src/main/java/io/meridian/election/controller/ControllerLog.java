package io.meridian.election.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.LogEnds;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads back what earlier controllers wrote to {@code meridian.controller}, so a new controller honours it. */
final class ControllerLog {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerLog.class);

    private ControllerLog() {
    }

    /** Inhibit windows from the failovers of the last {@code window}: flapping protection survives a handover. */
    static InhibitWindows recentFailovers(MeridianConfig config, Duration window, long nowMillis) {
        InhibitWindows windows = InhibitWindows.empty(window);
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-controller-log-" + config.nodeId());
        try (KafkaConsumer<String, JsonNode> consumer = new KafkaConsumer<>(props,
                Topics.CONTROLLER.keySerde().deserializer(), Topics.CONTROLLER.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CONTROLLER.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> since = new HashMap<>();
            partitions.forEach(tp -> since.put(tp, nowMillis - window.toMillis()));
            Map<TopicPartition, Long> end = LogEnds.highWatermarks(props, partitions, Duration.ofSeconds(10));
            for (var entry : consumer.offsetsForTimes(since).entrySet()) {
                OffsetAndTimestamp found = entry.getValue();
                consumer.seek(entry.getKey(), found == null ? end.get(entry.getKey()) : found.offset());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JsonNode> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode value = record.value();
                    if (value != null && FailoverEvent.TYPE.equals(value.path("type").asText())) {
                        windows = windows.withEvent(Json.MAPPER.treeToValue(value, FailoverEvent.class));
                    }
                }
            }
        } catch (KafkaException | com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.warn("could not read recent failovers from {}; inhibit windows start empty: {}",
                    Topics.CONTROLLER.name(), e.toString());
        }
        return windows;
    }
}
