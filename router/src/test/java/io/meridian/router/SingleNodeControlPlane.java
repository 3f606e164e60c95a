package io.meridian.router;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.ElectionState;
import io.meridian.election.controller.ControlPlane;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Test-only: the control plane of a cluster with one controller that never changes, on real Kafka. Placement
 * changes are written the way the controller writes them: in ONE transaction, the placement to
 * {@code meridian.placements} and a fence into the tenant's WAL partition. Always the controller, always with quorum;
 * no failover. Thread-safe (one transaction at a time); {@link #close} is idempotent.
 */
final class SingleNodeControlPlane implements ControlPlane, AutoCloseable {
    static final String BACKEND = "single-node";

    private final KafkaProducer<String, Object> producer;
    private final ElectionCandidate self;
    private final long controllerEpoch;
    private final HybridLogicalClock hlc;
    private final Clock clock;
    private final Duration timeout;
    private final String since;
    private boolean closed;

    SingleNodeControlPlane(Map<String, Object> kafkaClientProperties, String transactionalId, ElectionCandidate self,
                           long controllerEpoch, Clock clock, Duration timeout) {
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
        this.self = self;
        this.controllerEpoch = controllerEpoch;
        this.clock = clock;
        this.hlc = new HybridLogicalClock(clock);
        this.timeout = timeout;
        this.since = clock.instant().toString();
        producer.initTransactions();
    }

    @Override
    public ElectionSnapshot election() {
        return ElectionSnapshot.of(BACKEND, ElectionState.LEADER, controllerEpoch, true, Optional.of(self), self, since);
    }

    @Override
    public boolean hasQuorum() {
        return true;
    }

    @Override
    public boolean isController() {
        return true;
    }

    @Override
    public Optional<URI> controllerUrl() {
        return Optional.of(URI.create(self.url()));
    }

    @Override
    public synchronized Position changePlacement(Placement placement, String reason) {
        if (closed) {
            throw new NotControllerException("the control plane of " + self.nodeId() + " is closed");
        }
        WalRecord.Fence fence = new WalRecord.Fence(placement.tenant(), placement, controllerEpoch, reason, hlc.now());
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.PLACEMENTS.name(), placement.tenant(), placement));
            Future<RecordMetadata> fenceSent = producer.send(
                    new ProducerRecord<>(Topics.WAL.name(), placement.tenant(), fence));
            producer.commitTransaction();
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
    public FailoverEvent failover(String region, Optional<String> target, boolean force) {
        throw new UnsupportedOperationException("the single-node test control plane does not fail over");
    }

    @Override
    public java.util.Optional<Placement> committedPlacement(String tenant) {
        return java.util.Optional.empty();
    }

    @Override
    public HealthSnapshot health() {
        return HealthSnapshot.of(clock.millis(), List.of());
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            producer.close(Duration.ofSeconds(5));
        }
    }
}
