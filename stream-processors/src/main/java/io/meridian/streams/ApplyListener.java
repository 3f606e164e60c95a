package io.meridian.streams;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Position;
import java.util.List;

/**
 * Told by the region applier, on its stream thread, about every record it processed. Implementations must be quick
 * and thread-safe: they run on the applier's per-record path.
 */
public interface ApplyListener {

    /** A data record was decided on. */
    void onDecided(ApplyOutcome outcome);

    /** The applier has processed everything in {@code position.partition()} up to and including this offset. */
    void onApplied(Position position);

    /**
     * A conflicting record (a stale epoch, or a multi-primary write conflict) was resolved by the tenant's strategy
     * (reported by regions holding the tenant).
     */
    default void onConflict(ConflictRecord conflict) {
    }

    /**
     * The applier read a WAL record stamped {@code hlc} (a hybrid-logical-clock timestamp): this node's clock should
     * move past it ({@link io.meridian.infra.clock.HybridLogicalClock#observe}).
     */
    default void onClock(long hlc) {
    }

    /** A WAL record went to {@code meridian.dlq} instead of being applied. */
    default void onDeadLetter(DeadLetter letter) {
    }

    /**
     * The first record processed in {@code partition} after a (re)start is not the one after the restored position
     * ({@code lastApplied}, -1 when none): records in between were skipped (markers, aborted, or deleted).
     */
    default void onGap(int partition, long lastApplied, long firstProcessed) {
    }

    /**
     * This region's sync of a tenant from a snapshot moved on ({@link SyncStatus}); a status with state
     * {@link SyncStatus#ENDED} says the sync is over (the region caught up and the placement says so, or it was
     * removed). Also told for every sync in progress when a task (re)starts.
     */
    default void onSync(SyncStatus status) {
    }

    /**
     * This node's applier opened the task of WAL {@code partition} (after it was assigned here and restored): it
     * decides the partition's records from now on.
     */
    default void onPartitionOpened(int partition) {
    }

    /**
     * This node's applier closed the task of WAL {@code partition}: the partition moved to another node of the region
     * (a rebalance), or the node is shutting down. Records of the partition not decided yet are decided elsewhere.
     */
    default void onPartitionClosed(int partition) {
    }

    /** One listener that tells each of {@code listeners}, in order. */
    static ApplyListener all(ApplyListener... listeners) {
        List<ApplyListener> all = List.of(listeners);
        return new ApplyListener() {
            @Override
            public void onDecided(ApplyOutcome outcome) {
                all.forEach(l -> l.onDecided(outcome));
            }

            @Override
            public void onApplied(Position position) {
                all.forEach(l -> l.onApplied(position));
            }

            @Override
            public void onConflict(ConflictRecord conflict) {
                all.forEach(l -> l.onConflict(conflict));
            }

            @Override
            public void onClock(long hlc) {
                all.forEach(l -> l.onClock(hlc));
            }

            @Override
            public void onDeadLetter(DeadLetter letter) {
                all.forEach(l -> l.onDeadLetter(letter));
            }

            @Override
            public void onGap(int partition, long lastApplied, long firstProcessed) {
                all.forEach(l -> l.onGap(partition, lastApplied, firstProcessed));
            }

            @Override
            public void onSync(SyncStatus status) {
                all.forEach(l -> l.onSync(status));
            }

            @Override
            public void onPartitionOpened(int partition) {
                all.forEach(l -> l.onPartitionOpened(partition));
            }

            @Override
            public void onPartitionClosed(int partition) {
                all.forEach(l -> l.onPartitionClosed(partition));
            }
        };
    }

    ApplyListener NONE = new ApplyListener() {
        @Override
        public void onDecided(ApplyOutcome outcome) {
        }

        @Override
        public void onApplied(Position position) {
        }
    };
}
