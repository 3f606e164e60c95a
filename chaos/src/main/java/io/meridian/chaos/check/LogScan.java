package io.meridian.chaos.check;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ControllerProducer;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the committed log says, read {@code read_committed} from the beginning to the end offsets of the moment:
 * every data record's writeId and position in {@code meridian.wal} (a retried write may be there more than once),
 * the last record of each WAL partition, and every controller-stamped record (fences in the WAL, events in
 * {@code meridian.controller}) with its controller epoch and, for leadership events, the node, and every failover
 * event of {@code meridian.controller}. Immutable once read.
 */
public final class LogScan {
    /** A record stamped with {@value ControllerProducer#EPOCH_HEADER}, in log order per partition. */
    public record Stamped(String topic, int partition, long offset, long epoch, String type, String node) {
    }

    /** A failover event on {@code meridian.controller}: {@code trigger} automatic or manual, wall-clock start. */
    public record Failover(String trigger, String region, long startedAtMillis) {
    }

    private final List<Failover> failovers = new ArrayList<>();
    private final Map<String, List<String>> positionsByWriteId = new HashMap<>();
    private final Map<String, String> writeIdAt = new HashMap<>();
    private final Map<Integer, Long> lastOffset = new TreeMap<>();
    private final List<Stamped> stamped = new ArrayList<>();
    private long undecodable;

    private LogScan() {
    }

    public static LogScan read(String bootstrapServers, Duration timeout) {
        LogScan scan = new LogScan();
        scan.consume(bootstrapServers, Topics.WAL.name(), timeout);
        scan.consume(bootstrapServers, Topics.CONTROLLER.name(), timeout);
        return scan;
    }

    /** Per {@code tenant/writeId}, every position at which a data record of it was committed, in log order. */
    public Map<String, List<String>> positionsByWriteId() {
        return positionsByWriteId;
    }

    /** Per position ({@code partition:offset}) of a committed data record, its {@code tenant/writeId}. */
    public Map<String, String> writeIdAt() {
        return writeIdAt;
    }

    /** The offset of the last committed record of each WAL partition. */
    public Map<Integer, Long> lastOffsets() {
        return lastOffset;
    }

    public List<Stamped> stamped() {
        return stamped;
    }

    /** Every committed failover event, in log order. */
    public List<Failover> failovers() {
        return failovers;
    }

    /** WAL records that are not JSON data or fences (the poison fault's, for one). */
    public long undecodable() {
        return undecodable;
    }

    private void consume(String bootstrapServers, String topic, Duration timeout) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrapServers, "isolation.level", "read_committed",
                "enable.auto.commit", false, "max.partition.fetch.bytes", 2 * 1024 * 1024,
                "client.id", "meridian-chaos-checker");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    take(record);
                }
            }
        }
    }

    /** A scan of these records, in this order (tests build the log by hand). */
    static LogScan of(List<ConsumerRecord<String, byte[]>> records) {
        LogScan scan = new LogScan();
        records.forEach(scan::take);
        return scan;
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        boolean wal = record.topic().equals(Topics.WAL.name());
        if (wal) {
            lastOffset.merge(record.partition(), record.offset(), Math::max);
        }
        JsonNode value;
        try {
            value = Json.readTree(record.value());
        } catch (RuntimeException e) {
            undecodable++;
            return;
        }
        String type = value.path("type").asText("");
        Header header = record.headers().lastHeader(ControllerProducer.EPOCH_HEADER);
        if (header != null) {
            long epoch = Long.parseLong(new String(header.value(), StandardCharsets.UTF_8).trim());
            stamped.add(new Stamped(record.topic(), record.partition(), record.offset(), epoch, type,
                    value.path("node").asText("")));
        }
        if (!wal && FailoverEvent.TYPE.equals(type)) {
            failovers.add(new Failover(value.path("trigger").asText(""), value.path("region").asText(""),
                    value.path("startedAtMillis").asLong(0)));
        }
        String writeId = value.path("writeId").asText("");
        if (wal && !writeId.isEmpty()) {
            String id = value.path("tenant").asText("") + "/" + writeId;
            String position = record.partition() + ":" + record.offset();
            positionsByWriteId.computeIfAbsent(id, w -> new ArrayList<>()).add(position);
            writeIdAt.put(position, id);
        }
    }
}
