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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    /**
     * The most placements one transaction may carry: bounds the transaction's size (about 0.6 KB a tenant with its
     * fence, 3 MB at most: well inside the producer's 32 MB buffer), its commit time and the heap.
     */
    public static final int MAX_BATCH = 5_000;

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

    /**
     * Many tenants' placements, their fences and whatever {@code alsoWrite} adds (knowing every fence's position, in
     * the order of {@code placements}), in ONE transaction: all of them become visible together, or none does. The
     * sends are pipelined and awaited together before {@code alsoWrite} runs, so a batch costs about one commit, not
     * one round trip per tenant. Every placement is checked against the ledger first, so a batch with one placement
     * planned from a stale epoch (or naming a tenant twice) writes nothing.
     *
     * @param placements at most {@link #MAX_BATCH} placements, of distinct tenants
     * @return the fences' positions, in the order of {@code placements}
     * @throws PlacementConflictException when a placement was not planned from the committed epoch
     * @throws IllegalArgumentException   for an empty or too large batch, or a tenant named twice
     */
    public List<Position> publishAll(List<Placement> placements, String reason,
                                     Function<List<Position>, Consumer<ControllerTransaction>> alsoWrite) {
        checkBatch(placements);
        placements.forEach(ledger::checkNext);
        long controllerEpoch = writer.epoch();
        List<Position> fences = new ArrayList<>(placements.size());
        long started = System.nanoTime();
        writer.inTransaction(tx -> {
            fences.clear();  // a retried body starts afresh
            List<Future<RecordMetadata>> sent = new ArrayList<>(placements.size());
            for (Placement placement : placements) {
                tx.send(Topics.PLACEMENTS, placement.tenant(), placement);
                sent.add(tx.send(Topics.WAL, placement.tenant(),
                        new WalRecord.Fence(placement.tenant(), placement, controllerEpoch, reason, hlc.now())));
            }
            for (Future<RecordMetadata> fence : sent) {
                RecordMetadata at = await(fence);
                fences.add(new Position(at.partition(), at.offset()));
            }
            alsoWrite.apply(List.copyOf(fences)).accept(tx);
        });
        placements.forEach(ledger::committed);
        LOG.info("placements published in one transaction count={} reason={} controllerEpoch={} took={}ms",
                placements.size(), reason, controllerEpoch, (System.nanoTime() - started) / 1_000_000);
        return List.copyOf(fences);
    }

    /** Refuses an empty batch, one above {@link #MAX_BATCH}, or one naming a tenant twice. */
    static void checkBatch(List<Placement> placements) {
        if (placements.isEmpty() || placements.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH + " placements, got "
                    + placements.size());
        }
        Set<String> tenants = new HashSet<>();
        for (Placement placement : placements) {
            if (!tenants.add(placement.tenant())) {
                throw new IllegalArgumentException("tenant " + placement.tenant() + " appears twice in one batch");
            }
        }
    }

    /** Splits {@code items} into consecutive batches of at most {@code size}. */
    public static <T> List<List<T>> batches(List<T> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + size);
        }
        List<List<T>> batches = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            batches.add(List.copyOf(items.subList(from, Math.min(items.size(), from + size))));
        }
        return batches;
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
