package io.meridian.migration.testing;

import io.meridian.election.ControllerProducer;
import io.meridian.election.ControllerTransaction;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.controller.PlacementLedger;
import io.meridian.election.controller.PlacementPublisher;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.WalPartitioner;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A controller context on real Kafka, for integration tests: a real {@link ControllerProducer} behind the node's own
 * {@link PlacementPublisher} (placement + fence + events in one transaction, planned from the placements committed
 * when the context opened and since), a hand-fed health snapshot, and its own single "duties" thread that
 * {@link #runSoon} and {@link #onDuties} use. {@link #close()} stops it all.
 */
public final class KafkaTestControllerContext implements ControllerContext, AutoCloseable {
    private final PlacementPublisher publisher;
    private final int walPartitions;
    private final ScheduledExecutorService duties;
    private final Map<String, RegionStatus> regions = new ConcurrentHashMap<>();

    public KafkaTestControllerContext(Map<String, Object> clientConfig, String transactionalId, long epoch,
                                      int walPartitions, Clock clock) {
        this.walPartitions = walPartitions;
        this.duties = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "it-duties-" + epoch));
        ControllerProducer producer = new ControllerProducer(clientConfig, transactionalId, epoch, () -> true,
                Duration.ofSeconds(60), (e, cause) -> { });
        this.publisher = new PlacementPublisher(producer, PlacementLedger.read(clientConfig, "it-ledger-" + epoch,
                Duration.ofSeconds(60)), new HybridLogicalClock(clock));
    }

    public ScheduledExecutorService duties() {
        return duties;
    }

    /** Runs {@code task} on the duties thread and waits for it. */
    public <T> T onDuties(java.util.concurrent.Callable<T> task) {
        try {
            return duties.submit(task).get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the duties thread did not answer", e);
        }
    }

    public void region(String region, RegionHealth health, Map<Integer, Long> applied) {
        regions.put(region, new RegionStatus(region, health, 0, false, OptionalLong.of(100), 0, 3, 1_000, 2_000,
                Set.of(region + "-1"), applied, Map.of()));
    }

    public void applied(String region, int partition, long offset) {
        RegionStatus s = regions.get(region);
        Map<Integer, Long> applied = new TreeMap<>(s.appliedOffsets());
        applied.put(partition, offset);
        region(region, s.state(), applied);
    }

    @Override
    public long epoch() {
        return publisher.epoch();
    }

    @Override
    public List<Placement> placements() {
        return publisher.placements();
    }

    @Override
    public Optional<Placement> placement(String tenant) {
        return publisher.placement(tenant);
    }

    @Override
    public HealthSnapshot health() {
        return HealthSnapshot.of(System.currentTimeMillis(), regions.values());
    }

    @Override
    public int walPartition(String tenant) {
        return WalPartitioner.partitionOf(tenant, walPartitions);
    }

    @Override
    public Position publishPlacement(Placement placement, String reason,
                                     Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
        return publisher.publish(placement, reason, alsoWrite);
    }

    @Override
    public void inTransaction(Consumer<ControllerTransaction> body) {
        publisher.inTransaction(body);
    }

    @Override
    public void runSoon(Runnable task) {
        duties.execute(task);
    }

    @Override
    public void close() {
        duties.shutdownNow();
        publisher.close();
    }
}
