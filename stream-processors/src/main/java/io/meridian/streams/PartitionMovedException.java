package io.meridian.streams;

import io.meridian.infra.model.Position;

/**
 * A write waited for this node's applier's verdict on its record, but the record's WAL partition moved to another
 * node of the region (a rebalance: a node joined or left) or this node is shutting down: this node will not decide
 * it. The record is in Kafka and will be decided by the partition's new owner; the write is neither confirmed nor
 * refused. Retriable: a retry with the same Idempotency-Key is the same write.
 */
public final class PartitionMovedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Position position;

    public PartitionMovedException(Position position) {
        super("WAL partition " + position.partition() + " is no longer applied by this node; record " + position
                + " is decided by its new owner", null, false, false);
        this.position = position;
    }

    /** Where the write's record is in the WAL. */
    public Position position() {
        return position;
    }
}
