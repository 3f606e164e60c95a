package io.meridian.streams;

import io.meridian.infra.model.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connects the router's request threads to the region applier's stream thread: a write gets the applier's verdict
 * on the very record it produced; a read waits until the applier has passed a position. Thread-safe; futures are
 * completed outside the locks.
 *
 * <p>A verdict is matched to a write by the record's position (partition and offset, from the producer's metadata),
 * never by its write id alone: two tenants may use the same Idempotency-Key, and a retry must not be answered with
 * the verdict on an earlier attempt. Verdicts and producer acknowledgements race (the applier may decide a record
 * before the producer's callback runs), so a verdict on a record with the write's tenant and id that arrives before
 * the write knows its position is kept until it does.
 */
public final class ApplyTracker implements ApplyListener {
    /** Writes in flight by tenant + write id; almost always one each. */
    private final Map<String, List<PendingWrite>> inFlight = new ConcurrentHashMap<>();
    private final Map<Integer, PartitionProgress> partitions = new ConcurrentHashMap<>();
    /** The greatest hybrid-logical-clock timestamp of a record the applier read (written by its stream threads). */
    private final AtomicLong observedHlc = new AtomicLong();
    /** Partitions whose task this node closed and has not opened again: it decides none of their records. */
    private final Set<Integer> closedPartitions = ConcurrentHashMap.newKeySet();

    /**
     * Registers a write before it is produced, so the verdict cannot be missed however fast the applier is. The
     * caller tells the write its position once produced, and {@link PendingWrite#cancel cancels} it if it gives up.
     */
    public PendingWrite expect(String tenant, String writeId) {
        PendingWrite write = new PendingWrite(idOf(tenant, writeId), this);
        inFlight.compute(write.id, (id, writes) -> {
            List<PendingWrite> list = writes == null ? new CopyOnWriteArrayList<>() : writes;
            list.add(write);
            return list;
        });
        write.verdict.whenComplete((outcome, error) -> unregister(write));
        return write;
    }

    /**
     * How long ago Kafka acknowledged the oldest record this node wrote to {@code partition} (while its task is open
     * here) that the applier has not read yet; zero when it has read them all. A write that timed out still counts
     * until the applier reads its record, and a record held while its tenant syncs counts as read: this is how far
     * behind the applier is, not how long a write waits.
     */
    public Duration applierDelay(int partition) {
        PartitionProgress progress = partitions.get(partition);
        return progress == null ? Duration.ZERO : progress.unreadFor(System.nanoTime());
    }

    /** The longest {@link #applierDelay} over all partitions, for metrics. */
    public Duration maxApplierDelay() {
        long now = System.nanoTime();
        return partitions.values().stream().map(p -> p.unreadFor(now)).max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /** Writes in flight on this node, for metrics and tests. */
    public int inFlight() {
        return inFlight.values().stream().mapToInt(List::size).sum();
    }

    /**
     * Completes when the applier has processed {@code position} (at once if it already has), or exceptionally with a
     * {@link java.util.concurrent.TimeoutException} after {@code maxWait}.
     */
    public CompletableFuture<Void> awaitApplied(Position position, Duration maxWait) {
        return progress(position.partition()).await(position.offset(), maxWait);
    }

    /** The last offset processed in {@code partition}, if any since this node started or restored. */
    public OptionalLong appliedOffset(int partition) {
        PartitionProgress progress = partitions.get(partition);
        return progress == null ? OptionalLong.empty() : progress.applied();
    }

    /** Offsets processed per partition, for heartbeats and lag. */
    public Map<Integer, Long> appliedOffsets() {
        Map<Integer, Long> offsets = new TreeMap<>();
        partitions.forEach((partition, progress) -> progress.applied().ifPresent(o -> offsets.put(partition, o)));
        return offsets;
    }

    @Override
    public void onDecided(ApplyOutcome outcome) {
        List<PendingWrite> writes = inFlight.get(idOf(outcome.tenant(), outcome.writeId()));
        if (writes != null) {
            writes.forEach(write -> write.offer(outcome));
        }
    }

    @Override
    public void onClock(long hlc) {
        if (hlc > observedHlc.get()) {
            observedHlc.accumulateAndGet(hlc, Math::max);
        }
    }

    /**
     * The greatest hybrid-logical-clock timestamp among the records this node's applier read, 0 before any: a
     * writer's clock observes it, so a write made after applying another region's write is stamped later than it.
     */
    public long observedHlc() {
        return observedHlc.get();
    }

    @Override
    public void onApplied(Position position) {
        progress(position.partition()).advance(position.offset());
    }

    @Override
    public void onPartitionOpened(int partition) {
        closedPartitions.remove(partition);
        progress(partition).opened();
    }

    /**
     * Fails every write waiting for a verdict in {@code partition} with {@link PartitionMovedException}, and every
     * later one produced there until the partition is opened here again: their records are decided by another node.
     */
    @Override
    public void onPartitionClosed(int partition) {
        // Marked first: a write that learns its position after the scan below sees the mark (PendingWrite.produced).
        closedPartitions.add(partition);
        progress(partition).closed();
        List<PendingWrite> moved = new ArrayList<>();
        inFlight.values().forEach(writes -> writes.forEach(write -> {
            if (write.isIn(partition)) {
                moved.add(write);
            }
        }));
        moved.forEach(PendingWrite::moved);
    }

    /** Whether this node closed {@code partition}'s task and has not opened it again. */
    public boolean isClosed(int partition) {
        return closedPartitions.contains(partition);
    }

    private void unregister(PendingWrite write) {
        inFlight.computeIfPresent(write.id, (id, writes) -> {
            writes.remove(write);
            return writes.isEmpty() ? null : writes;
        });
    }

    private static String idOf(String tenant, String writeId) {
        return tenant + "/" + writeId;
    }

    private PartitionProgress progress(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionProgress());
    }

    /** One produced (or about to be produced) write waiting for the applier's verdict on its record. */
    public static final class PendingWrite {
        private final String id;
        private final ApplyTracker tracker;
        private final CompletableFuture<ApplyOutcome> verdict = new CompletableFuture<>();
        private final List<ApplyOutcome> early = new ArrayList<>(1);
        private Position position;

        private PendingWrite(String id, ApplyTracker tracker) {
            this.id = id;
            this.tracker = tracker;
        }

        /** The verdict on this write's own record. */
        public CompletableFuture<ApplyOutcome> verdict() {
            return verdict;
        }

        /** Kafka acknowledged this write's record at {@code at}: only the verdict on that record completes it. */
        public void produced(Position at) {
            ApplyOutcome decided;
            synchronized (this) {
                position = at;
                decided = early.stream().filter(o -> o.position().equals(at)).findFirst().orElse(null);
                early.clear();
            }
            if (decided != null) {
                verdict.complete(decided);
            } else if (tracker.closedPartitions.contains(at.partition())) {
                moved();  // routed here just before the partition moved away: another node decides the record
            } else {
                tracker.progress(at.partition()).acknowledged(at.offset(), System.nanoTime());
            }
        }

        private synchronized boolean isIn(int partition) {
            return position != null && position.partition() == partition;
        }

        private void moved() {
            Position at;
            synchronized (this) {
                at = position;
            }
            verdict.completeExceptionally(new PartitionMovedException(at));
        }

        /** The write gave up (not produced, or timed out): a later verdict is ignored. */
        public void cancel() {
            verdict.cancel(false);
        }

        private void offer(ApplyOutcome outcome) {
            synchronized (this) {
                if (verdict.isDone()) {
                    return;
                }
                if (position == null) {
                    early.add(outcome);  // the producer's callback has not run yet
                    return;
                }
                if (!position.equals(outcome.position())) {
                    return;  // another record with the same tenant and write id (an earlier attempt, a duplicate)
                }
            }
            verdict.complete(outcome);
        }
    }

    private static final class PartitionProgress {
        /**
         * The most unread records kept per partition: the oldest are the ones that count, and with writes refused
         * once the applier is behind few more arrive; with refusals turned off a stuck applier must not fill the heap.
         */
        private static final int MAX_UNREAD = 16_384;

        private long applied = -1;
        private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
        /** Whether the partition's task is open on this node: only then does it read what is acknowledged here. */
        private boolean open;
        /** Offsets this node's writes got from Kafka that the applier has not read yet → System.nanoTime() then. */
        private final TreeMap<Long, Long> unread = new TreeMap<>();

        synchronized void opened() {
            open = true;
        }

        /** Another node (or none) reads the partition now: what was acknowledged here is not this applier's delay. */
        synchronized void closed() {
            open = false;
            unread.clear();
        }

        synchronized void acknowledged(long offset, long nanos) {
            if (open && offset > applied && unread.size() < MAX_UNREAD) {
                unread.put(offset, nanos);
            }
        }

        synchronized Duration unreadFor(long now) {
            return unread.isEmpty() ? Duration.ZERO
                    : Duration.ofNanos(Math.max(0, now - unread.firstEntry().getValue()));
        }

        CompletableFuture<Void> await(long offset, Duration maxWait) {
            CompletableFuture<Void> future = new CompletableFuture<>();
            synchronized (this) {
                if (applied >= offset) {
                    return CompletableFuture.completedFuture(null);
                }
                waiters.computeIfAbsent(offset, o -> new ArrayList<>(1)).add(future);
            }
            // A waiter that times out must not stay behind: a far-off offset might never be reached.
            future.orTimeout(maxWait.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((ok, error) -> {
                        if (error != null) {
                            remove(offset, future);
                        }
                    });
            return future;
        }

        private synchronized void remove(long offset, CompletableFuture<Void> future) {
            List<CompletableFuture<Void>> atOffset = waiters.get(offset);
            if (atOffset != null && atOffset.remove(future) && atOffset.isEmpty()) {
                waiters.remove(offset);
            }
        }

        void advance(long offset) {
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            synchronized (this) {
                applied = Math.max(applied, offset);
                if (!unread.isEmpty()) {
                    unread.headMap(applied, true).clear();
                }
                var passed = waiters.headMap(applied, true);
                passed.values().forEach(ready::addAll);
                passed.clear();
            }
            ready.forEach(f -> f.complete(null));
        }

        synchronized OptionalLong applied() {
            return applied < 0 ? OptionalLong.empty() : OptionalLong.of(applied);
        }
    }
}
