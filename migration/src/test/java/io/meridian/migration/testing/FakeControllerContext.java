package io.meridian.migration.testing;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerTransaction;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.Topic;
import io.meridian.infra.topics.Topics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A controller context without Kafka: records every committed transaction (placement, fence, migration events), keeps
 * a placement view (following our own writes at once unless told otherwise), a hand-fed health snapshot, WAL end
 * offsets (a fence takes the next offset of the tenant's partition), and the migration log a
 * {@link FakeMigrationSource} replays. {@link #runSoon} queues until {@link #runSoonTasks()}, unless {@link #duties}
 * is set.
 */
public final class FakeControllerContext implements ControllerContext {
    /** How often every placement was asked for: duties that tick must not scan them all. */
    public final java.util.concurrent.atomic.AtomicInteger placementsCalls = new java.util.concurrent.atomic.AtomicInteger();


    /** One committed transaction. {@code placement} and {@code fence} are null when it changed no placement. */
    public record Tx(Placement placement, Position fence, String reason, List<MigrationEvent> events, String thread) {
        public MigrationEvent.StateChanged changed(int index) {
            return (MigrationEvent.StateChanged) events.get(index);
        }
    }

    private final long epoch;
    private final Clock clock;
    public final Map<String, Placement> view = new ConcurrentHashMap<>();
    public final Map<String, Integer> partitions = new ConcurrentHashMap<>();
    public final Map<Integer, Long> walEnd = new ConcurrentHashMap<>();
    public final List<MigrationEvent> log = new CopyOnWriteArrayList<>();
    public final List<Tx> committed = new CopyOnWriteArrayList<>();
    private final Map<String, RegionStatus> regions = new ConcurrentHashMap<>();
    private final Queue<Runnable> soon = new ConcurrentLinkedQueue<>();
    public volatile boolean failPublishes;
    public volatile boolean failTransactions;
    public volatile boolean fenced;
    public volatile Executor duties;

    public FakeControllerContext(long epoch, Clock clock) {
        this.epoch = epoch;
        this.clock = clock;
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

    public void health(String region, RegionHealth health) {
        region(region, health, regions.get(region).appliedOffsets());
    }

    /** Marks {@code region} as having skipped WAL records deleted by retention (or not). */
    public void needsReseed(String region, boolean needsReseed) {
        RegionStatus s = regions.get(region);
        regions.put(region, new RegionStatus(region, s.state(), 0, false, OptionalLong.of(100), 0, 3, 1_000, 2_000,
                Set.of(region + "-1"), s.appliedOffsets(), Map.of(), needsReseed));
    }

    /** Marks {@code region}'s replication as paused by the operator (or not). */
    public void paused(String region, boolean paused) {
        regions.put(region, regions.get(region).withPaused(paused));
    }

    /** Runs the queued {@link #runSoon} tasks (and those they queue) on the calling thread. */
    public void runSoonTasks() {
        for (Runnable task; (task = soon.poll()) != null; ) {
            task.run();
        }
    }

    public Tx last() {
        return committed.get(committed.size() - 1);
    }

    /** The transactions committed from index {@code from} on. */
    public List<Tx> since(int from) {
        return List.copyOf(committed.subList(from, committed.size()));
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public List<Placement> placements() {
        placementsCalls.incrementAndGet();
        return List.copyOf(view.values());
    }

    @Override
    public Optional<Placement> placement(String tenant) {
        return Optional.ofNullable(view.get(tenant));
    }

    @Override
    public HealthSnapshot health() {
        return HealthSnapshot.of(clock.millis(), regions.values());
    }

    @Override
    public int walPartition(String tenant) {
        return partitions.getOrDefault(tenant, 0);
    }

    @Override
    public synchronized Position publishPlacement(Placement placement, String reason,
                                                 Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
        check(failPublishes);
        int partition = walPartition(placement.tenant());
        long offset = walEnd.getOrDefault(partition, 0L);
        Position fence = new Position(partition, offset);
        Recording tx = new Recording();
        alsoWrite.apply(fence).accept(tx);
        walEnd.put(partition, offset + 1);
        commit(new Tx(placement, fence, reason, List.copyOf(tx.events), Thread.currentThread().getName()));
        view.put(placement.tenant(), placement);
        return fence;
    }

    @Override
    public synchronized void inTransaction(Consumer<ControllerTransaction> body) {
        check(failTransactions);
        Recording tx = new Recording();
        body.accept(tx);
        commit(new Tx(null, null, "", List.copyOf(tx.events), Thread.currentThread().getName()));
    }

    private void check(boolean fail) {
        if (fenced) {
            throw new ControllerFencedException("fenced (fake)", epoch, null);
        }
        if (fail) {
            throw new ControllerWriteException("not committed (fake)", epoch, null);
        }
    }

    private void commit(Tx tx) {
        committed.add(tx);
        log.addAll(tx.events());
    }

    @Override
    public void runSoon(Runnable task) {
        Executor executor = duties;
        if (executor != null) {
            executor.execute(task);
        } else {
            soon.add(task);
        }
    }

    private final class Recording implements ControllerTransaction {
        private final List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value) {
            if (!topic.name().equals(Topics.MIGRATIONS.name())) {
                throw new AssertionError("the executor wrote to " + topic.name());
            }
            MigrationEvent event = (MigrationEvent) value;
            if (!event.tenant().equals(key)) {
                throw new AssertionError("event of " + event.tenant() + " keyed " + key);
            }
            events.add(event);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
            throw new AssertionError("the executor sends typed records only");
        }
    }

    @Override
    public String toString() {
        return "FakeControllerContext(epoch " + epoch + ", placements " + new TreeMap<>(view) + ")";
    }
}
