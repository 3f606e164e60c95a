package io.meridian.streams;

import io.meridian.infra.model.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Connects the router's request threads to the region applier's stream thread: a write registers its id and gets
 * the applier's verdict; a read waits until the applier has passed a position. Thread-safe; listeners' futures are
 * completed outside the locks.
 */
public final class ApplyTracker implements ApplyListener {
    private final Map<String, CompletableFuture<ApplyOutcome>> pending = new ConcurrentHashMap<>();
    private final Map<Integer, PartitionProgress> partitions = new ConcurrentHashMap<>();

    /**
     * Registers a write before it is produced, so the verdict cannot be missed however fast the applier is. The
     * caller must {@link #forget} the id if it gives up waiting.
     */
    public CompletableFuture<ApplyOutcome> expect(String writeId) {
        CompletableFuture<ApplyOutcome> future = new CompletableFuture<>();
        if (pending.putIfAbsent(writeId, future) != null) {
            throw new IllegalStateException("write " + writeId + " is already in flight on this node");
        }
        return future;
    }

    public void forget(String writeId) {
        pending.remove(writeId);
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
        CompletableFuture<ApplyOutcome> future = pending.remove(outcome.writeId());
        if (future != null) {
            future.complete(outcome);
        }
    }

    @Override
    public void onApplied(Position position) {
        progress(position.partition()).advance(position.offset());
    }

    private PartitionProgress progress(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionProgress());
    }

    private static final class PartitionProgress {
        private long applied = -1;
        private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

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
