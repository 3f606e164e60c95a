package io.meridian.router;

import io.meridian.election.ControllerProducer;
import io.meridian.election.ControllerWriteException;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Test-only: placement changes written the way the controller writes them, through the controller's own transactional
 * producer ({@link ControllerProducer}, each record stamped with the controller epoch): in ONE transaction, the
 * placement to {@code meridian.placements} (what every placement view shows) and a fence into the tenant's WAL
 * partition (what every applier decides by). Unlike the controller's {@code PlacementPublisher} it takes any epoch, so
 * a test can start a tenant at epoch 4. {@link #fenceOnly} and {@link #placementOnly} commit one half alone, for the
 * moments a real controller's transaction shows that way: an applier has read the fence while the placement view has
 * not read the placement yet, or the other way round. Thread-safe; {@link #close} is idempotent.
 */
final class ControllerLog implements AutoCloseable {
    private final ControllerProducer producer;
    private final HybridLogicalClock hlc = new HybridLogicalClock(Clock.systemUTC());
    private final Duration timeout;

    ControllerLog(Map<String, Object> kafkaClientProperties, String transactionalId, long controllerEpoch,
                  Duration timeout) {
        this.producer = new ControllerProducer(kafkaClientProperties, transactionalId, controllerEpoch, () -> true,
                timeout, (epoch, cause) -> { });
        this.timeout = timeout;
    }

    long controllerEpoch() {
        return producer.epoch();
    }

    /** The placement and its fence in one transaction; the fence's position. */
    Position commit(Placement placement, String reason) {
        return write(placement, reason, true, true);
    }

    /** Many placements and their fences in one transaction, as the controller's bulk changes are written. */
    void commitAll(List<Placement> placements, String reason) {
        producer.inTransaction(tx -> {
            List<Future<RecordMetadata>> fences = new ArrayList<>();
            for (Placement placement : placements) {
                tx.send(Topics.PLACEMENTS, placement.tenant(), placement);
                fences.add(tx.send(Topics.WAL, placement.tenant(),
                        new WalRecord.Fence(placement.tenant(), placement, tx.epoch(), reason, hlc.now())));
            }
            fences.forEach(this::await);
        });
    }

    /** Only the fence: appliers decide by it, placement views do not show it. */
    Position fenceOnly(Placement placement, String reason) {
        return write(placement, reason, false, true);
    }

    /** Only the placement: views show it, appliers know no fence of it. */
    void placementOnly(Placement placement) {
        write(placement, "placement only", true, false);
    }

    private Position write(Placement placement, String reason, boolean toView, boolean toWal) {
        Position[] fenceAt = new Position[1];
        producer.inTransaction(tx -> {
            if (toView) {
                tx.send(Topics.PLACEMENTS, placement.tenant(), placement);
            }
            if (toWal) {
                RecordMetadata sent = await(tx.send(Topics.WAL, placement.tenant(),
                        new WalRecord.Fence(placement.tenant(), placement, tx.epoch(), reason, hlc.now())));
                fenceAt[0] = new Position(sent.partition(), sent.offset());
            }
        });
        return fenceAt[0];
    }

    private RecordMetadata await(Future<RecordMetadata> sent) {
        try {
            return sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControllerWriteException("interrupted while sending a fence", producer.epoch(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ControllerWriteException("the fence was not sent: " + e, producer.epoch(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
