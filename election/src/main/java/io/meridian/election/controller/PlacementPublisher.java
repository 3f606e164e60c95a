package io.meridian.election.controller;

import io.meridian.election.ControllerTransaction;
import io.meridian.election.ControllerWriter;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way placements change: the placement to {@code meridian.placements}, its fence into the tenant's WAL
 * partition and the change's events, in ONE transaction of a controller term's {@link ControllerWriter}. Every change
 * is checked against the term's {@link PlacementLedger} (epoch exactly one above what is committed) and advances it
 * once committed. One per controller term; used on the controller's duties thread.
 */
public final class PlacementPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementPublisher.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final ControllerWriter writer;
    private final PlacementLedger ledger;
    private final HybridLogicalClock hlc;

    public PlacementPublisher(ControllerWriter writer, PlacementLedger ledger, HybridLogicalClock hlc) {
        this.writer = writer;
        this.ledger = ledger;
        this.hlc = hlc;
    }

    /** The controller epoch of this term. */
    public long epoch() {
        return writer.epoch();
    }

    /** The tenant's placement as committed (what the next change must be planned from). */
    public Optional<Placement> placement(String tenant) {
        return ledger.get(tenant);
    }

    public List<Placement> placements() {
        return List.copyOf(ledger.all());
    }

    /** {@link #publish(Placement, String, Function)} with nothing else in the transaction. */
    public Position publish(Placement placement, String reason) {
        return publish(placement, reason, fence -> tx -> { });
    }

    /**
     * Placement + fence + whatever {@code alsoWrite} adds (knowing the fence's position), in one transaction. The
     * fence's send is awaited inside the transaction (the broker has it, uncommitted), so later records can name it.
     *
     * @return the fence's position
     * @throws PlacementConflictException when {@code placement} was not planned from the committed epoch
     */
    public Position publish(Placement placement, String reason,
                            Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
        ledger.checkNext(placement);
        WalRecord.Fence fence = new WalRecord.Fence(placement.tenant(), placement, writer.epoch(), reason, hlc.now());
        Position[] fenceAt = new Position[1];
        writer.inTransaction(tx -> {
            tx.send(Topics.PLACEMENTS, placement.tenant(), placement);
            RecordMetadata sent = await(tx.send(Topics.WAL, placement.tenant(), fence));
            fenceAt[0] = new Position(sent.partition(), sent.offset());
            alsoWrite.apply(fenceAt[0]).accept(tx);
        });
        ledger.committed(placement);
        LOG.info("placement published tenant={} epoch={} primary={} writes={} reason={} fence={} controllerEpoch={}",
                placement.tenant(), placement.epoch(), placement.primary(), placement.writes().wireName(), reason,
                fenceAt[0], writer.epoch());
        return fenceAt[0];
    }

    /** One event on {@code meridian.controller}, in a transaction of its own. */
    public void publishEvent(String key, Object event) {
        writer.inTransaction(tx -> tx.send(Topics.CONTROLLER, key, Json.toTree(event)));
    }

    /** A transaction without a placement change (e.g. lifecycle events only). */
    public void inTransaction(Consumer<ControllerTransaction> body) {
        writer.inTransaction(body);
    }

    @Override
    public void close() {
        writer.close();
    }

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the fence was not sent: " + e, e);
        }
    }
}
