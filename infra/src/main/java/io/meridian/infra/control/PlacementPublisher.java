package io.meridian.infra.control;

import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a placement change the only way Meridian changes placements: in ONE Kafka transaction, the new placement to
 * {@code meridian.placements} and a fence into the tenant's WAL partition, so every applier sees the change at one
 * point of the tenant's log. The transactional id is fixed per writer role, so a newer writer with the same id fences
 * an older one inside Kafka. Thread-safe (one transaction at a time); {@link #close} is idempotent.
 */
public final class PlacementPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementPublisher.class);

    private final KafkaProducer<String, Object> producer;
    private final HybridLogicalClock clock;
    private final long controllerEpoch;
    private final Duration timeout;
    private boolean closed;

    /**
     * @param transactionalId fixed per role: every writer sharing it fences its predecessors
     * @param controllerEpoch carried by every fence this publisher writes
     */
    public PlacementPublisher(Map<String, Object> kafkaClientProperties, String transactionalId,
                              long controllerEpoch, HybridLogicalClock clock, Duration timeout) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.remove("client.rack");  // a consumer setting; producers warn about it
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 1000));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), (topic, value) -> value == null ? null
                : (topic.equals(Topics.WAL.name()) ? Topics.WAL.valueSerde().serializer().serialize(topic, (WalRecord) value)
                : Topics.PLACEMENTS.valueSerde().serializer().serialize(topic, (Placement) value)));
        this.clock = clock;
        this.controllerEpoch = controllerEpoch;
        this.timeout = timeout;
        producer.initTransactions();
    }

    /**
     * Publishes {@code placement} with a fence. Returns the fence's WAL offset once the transaction committed.
     *
     * @throws ProducerFencedException when a newer writer with the same transactional id took over: stop writing
     * @throws PlacementPublishException when Kafka did not take the change (nothing was committed)
     */
    public synchronized RecordMetadata publish(Placement placement, String reason) {
        if (closed) {
            throw new IllegalStateException("publisher is closed");
        }
        WalRecord.Fence fence = new WalRecord.Fence(placement.tenant(), placement, controllerEpoch, reason, clock.now());
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.PLACEMENTS.name(), placement.tenant(), placement));
            Future<RecordMetadata> fenceSent = producer.send(
                    new ProducerRecord<>(Topics.WAL.name(), placement.tenant(), fence));
            producer.commitTransaction();
            RecordMetadata metadata = fenceSent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("placement published tenant={} epoch={} primary={} writes={} reason={} fence={}:{}",
                    placement.tenant(), placement.epoch(), placement.primary(), placement.writes().wireName(), reason,
                    metadata.partition(), metadata.offset());
            return metadata;
        } catch (ProducerFencedException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new PlacementPublishException("interrupted while publishing the placement of " + placement.tenant(), e);
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            abort();
            throw new PlacementPublishException("Kafka did not take the placement change of tenant "
                    + placement.tenant() + " (nothing was committed; retry): " + e.getMessage(), e);
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.warn("aborting the placement transaction failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Kafka did not commit a placement change; nothing of it is visible. Retriable. */
    public static final class PlacementPublishException extends RuntimeException {
        public PlacementPublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
