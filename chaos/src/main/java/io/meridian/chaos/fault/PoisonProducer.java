package io.meridian.chaos.fault;

import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records no router would write, produced straight into {@code meridian.wal} in a run tenant's partition: JSON that
 * does not parse, a ~900 KB put (under the 1 MiB message limit, far over any document the workload writes), and a
 * valid put in a partition that is not its tenant's. Their keys are never the workload's, so they cannot disturb
 * the checker; the appliers must go on past them (to the DLQ or a rejection), which the availability figures show.
 */
final class PoisonProducer {
    static final int OVERSIZED_BYTES = 900 * 1024;

    private PoisonProducer() {
    }

    /** Produces the three poison records; returns what it produced, for the history. */
    static String produce(String bootstrapServers, String tenant, int walPartitions) {
        int partition = WalPartitioner.partitionOf(tenant, walPartitions);
        int wrong = (partition + 1) % walPartitions;
        String big = "x".repeat(OVERSIZED_BYTES);
        String oversized = put(tenant, "poison-oversized", "\"" + big + "\"");
        String misplaced = put(tenant, "poison-misplaced", "{\"poison\":true}");
        List<ProducerRecord<String, byte[]>> records = List.of(
                new ProducerRecord<>(Topics.WAL.name(), partition, tenant, bytes("{\"type\":\"put\",\"tenant\":")),
                new ProducerRecord<>(Topics.WAL.name(), partition, tenant, bytes(oversized)),
                new ProducerRecord<>(Topics.WAL.name(), wrong, tenant, bytes(misplaced)));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrapServers, "acks", "all", "max.request.size", 2 * 1024 * 1024,
                "delivery.timeout.ms", 30_000, "request.timeout.ms", 10_000, "linger.ms", 0),
                new StringSerializer(), new ByteArraySerializer())) {
            for (var record : records) {
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            return "poison not fully produced: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while producing poison";
        }
        return "bad JSON and a " + OVERSIZED_BYTES / 1024 + " KB put into partition " + partition
                + ", a put of " + tenant + " into partition " + wrong;
    }

    private static String put(String tenant, String key, String value) {
        return "{\"type\":\"put\",\"tenant\":\"" + tenant + "\",\"key\":\"" + key + "\",\"value\":" + value
                + ",\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"poison-" + key + "\"}";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
