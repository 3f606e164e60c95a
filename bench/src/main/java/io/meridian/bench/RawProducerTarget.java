package io.meridian.bench;

import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The baseline: a bare Kafka producer configured like the router's WAL producer (idempotent, acks=all, linger 1 ms),
 * acknowledged by Kafka's ack. It sends the very record the router would append (a serialized {@link WalRecord.Put}
 * of the same document, keyed by tenant) to the bench topic, so the difference to {@link RouterTarget} is what Meridian
 * adds: HTTP, routing, and waiting for the applier.
 */
final class RawProducerTarget implements WriteTarget {
    static final String TOPIC = "meridian.bench";

    private final KafkaProducer<String, byte[]> producer;
    private final Workload workload;
    private final HybridLogicalClock hlc = new HybridLogicalClock(Clock.systemUTC());

    RawProducerTarget(String bootstrap, Workload workload) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "meridian-bench-raw");
        // The WAL's durability, so the comparison with the router is like for like.
        props.putAll(WalProducerSettings.durability());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.workload = workload;
    }

    @Override
    public String name() {
        return "raw-kafka";
    }

    @Override
    public CompletableFuture<Void> write(long seq) {
        String tenant = workload.tenant(seq);
        // Serialized per write, as the router does: its cost belongs to both sides.
        byte[] value = Topics.WAL.valueSerde().serializer().serialize(TOPIC, new WalRecord.Put(tenant, workload.key(seq),
                workload.value(), 1, Workload.REGION, hlc.now(), UUID.randomUUID().toString()));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(TOPIC, tenant, value), (metadata, error) -> {
            if (error == null) {
                acked.complete(null);
            } else {
                acked.completeExceptionally(error);
            }
        });
        return acked;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
