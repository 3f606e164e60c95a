package io.meridian.streams.internal;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How far a task applied its WAL partition: the offset of the last record it processed, restored when the task opens
 * again (after a restart, a rebalance, on another node) so that readers and heartbeats know it before the next record.
 *
 * <p><b>Kept in the commit's offset metadata, not in a store.</b> Kafka Streams commits a small map with each task's
 * input offsets, in the same transaction, and hands it back when the task opens (its processor metadata, which its
 * own emit-final windows keep their progress in, KIP-825). So the restored position is exactly the one that belongs
 * to the committed offsets and state, and costs no record. Until 2026-12-05 a cached store kept it: one record per
 * task at every commit, and so one acks=all round trip per task in a row (see {@link CommitFlush} for why, and for the
 * write-id buckets, the other such record).
 *
 * <p>The store ({@code applied-positions}) is still read: it holds where versions before this one got, and a task
 * whose commits carry no position yet, or an older one (an older node applied it last), starts from it. Kafka
 * Streams' test-utils {@code MockProcessorContext} has no commit metadata: there the store keeps the position, as it
 * used to.
 *
 * <p>Not thread-safe: one per task, on its stream thread.
 */
abstract sealed class AppliedPosition {
    /** The metadata key: a task has one WAL partition, so one key is enough. */
    static final String METADATA_KEY = "meridian.applied-offset";

    private long current;

    private AppliedPosition(long restored) {
        this.current = restored;
    }

    /** The position of {@code context}'s task as its last commit left it; {@code legacy} is the positions store. */
    static AppliedPosition open(ProcessorContext<?, ?> context, KeyValueStore<Integer, Long> legacy) {
        int partition = context.taskId().partition();
        Long stored = legacy.get(partition);
        if (context instanceof InternalProcessorContext<?, ?> streams) {
            // Both are committed with the offsets, so neither is ahead of them; the higher is the newer. During a
            // rolling upgrade an older node moves the store on while it carries the metadata along unchanged.
            Long committed = streams.processorMetadataForKey(METADATA_KEY);
            long restored = Math.max(committed == null ? -1 : committed, stored == null ? -1 : stored);
            return new InCommitMetadata(restored, streams);
        }
        return new InStore(partition, stored == null ? -1 : stored, legacy);
    }

    /** The offset of the last record processed, as restored or since; -1 when the task never processed one. */
    final long current() {
        return current;
    }

    /** The task processed the record at {@code offset}. */
    final void applied(long offset) {
        current = offset;
        keep(offset);
    }

    protected abstract void keep(long offset);

    private static final class InCommitMetadata extends AppliedPosition {
        private final InternalProcessorContext<?, ?> context;

        InCommitMetadata(long restored, InternalProcessorContext<?, ?> context) {
            super(restored);
            this.context = context;
        }

        @Override
        protected void keep(long offset) {
            context.addProcessorMetadataKeyValue(METADATA_KEY, offset);
        }
    }

    private static final class InStore extends AppliedPosition {
        private final int partition;
        private final KeyValueStore<Integer, Long> store;

        InStore(int partition, long restored, KeyValueStore<Integer, Long> store) {
            super(restored);
            this.partition = partition;
            this.store = store;
        }

        @Override
        protected void keep(long offset) {
            store.put(partition, offset);
        }
    }
}
