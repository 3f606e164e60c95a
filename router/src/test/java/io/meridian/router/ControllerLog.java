package io.meridian.router;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import java.time.Clock;
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

/**
 * Test-only: placement changes written the way the controller writes them, on real Kafka: in ONE transaction, the
 * placement to {@code meridian.placements} (what every placement view shows) and a fence into the tenant's WAL
 * partition (what every applier decides by). {@link #fenceOnly} and {@link #placementOnly} commit one half alone,
 * for the moments a real controller's transaction shows that way: an applier has read the fence while the placement
 * view has not read the placement yet, or the other way round. Thread-safe (one transaction at a time);
 * {@link #close} is idempotent.
 */
final class ControllerLog implements AutoCloseable {
    private final KafkaProducer<String, Object> producer;
    private final long controllerEpoch;
    private final HybridLogicalClock hlc = new HybridLogicalClock(Clock.systemUTC());
    private final Duration timeout;
    private boolean closed;

    ControllerLog(Map<String, Object> kafkaClientProperties, String transactionalId, long controllerEpoch,
                  Duration timeout) {
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
                : topic.equals(Topics.WAL.name())
                        ? Topics.WAL.valueSerde().serializer().serialize(topic, (WalRecord) value)
                        : Topics.PLACEMENTS.valueSerde().serializer().serialize(topic, (Placement) value));
        this.controllerEpoch = controllerEpoch;
        this.timeout = timeout;
        producer.initTransactions();
    }

    long controllerEpoch() {
        return controllerEpoch;
    }

    /** The placement and its fence in one transaction; the fence's position. */
    Position commit(Placement placement, String reason) {
        return write(placement, reason, true, true);
    }

    /** Only the fence: appliers decide by it, placement views do not show it. */
    Position fenceOnly(Placement placement, String reason) {
        return write(placement, reason, false, true);
    }

    /** Only the placement: views show it, appliers know no fence of it. */
    void placementOnly(Placement placement) {
        write(placement, "placement only", true, false);
    }

    private synchronized Position write(Placement placement, String reason, boolean toView, boolean toWal) {
        if (closed) {
            throw new IllegalStateException("the controller log is closed");
        }
        try {
            producer.beginTransaction();
            if (toView) {
                producer.send(new ProducerRecord<>(Topics.PLACEMENTS.name(), placement.tenant(), placement));
            }
            Future<RecordMetadata> fenceSent = toWal ? producer.send(new ProducerRecord<>(Topics.WAL.name(),
                    placement.tenant(), new WalRecord.Fence(placement.tenant(), placement, controllerEpoch, reason,
                            hlc.now()))) : null;
            producer.commitTransaction();
            if (fenceSent == null) {
                return null;
            }
            RecordMetadata metadata = fenceSent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Position(metadata.partition(), metadata.offset());
        } catch (ProducerFencedException e) {
            throw new ControllerFencedException("another controller took the transactional id over", controllerEpoch,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new ControllerWriteException("interrupted while publishing the placement of " + placement.tenant(),
                    controllerEpoch, e);
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            abort();
            throw new ControllerWriteException("Kafka did not take the placement change of tenant "
                    + placement.tenant() + ": " + e.getMessage(), controllerEpoch, e);
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            // the transaction is dead either way; the next one starts clean or fails loudly
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            producer.close(Duration.ofSeconds(5));
        }
    }
}
