package io.meridian.streams;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which node of this region applies WAL partition {@code partition} now, as Kafka Streams' metadata tells it: the
 * {@code application.server} ({@code host:port}) of the node running its active task, whether that is this node, and
 * the nodes keeping a standby copy. {@link #active()} is empty while no node owns it (a rebalance in progress, or the
 * app not running). Immutable.
 */
public record PartitionOwner(int partition, Optional<String> active, boolean local, List<String> standbys) {

    public PartitionOwner {
        Objects.requireNonNull(active, "active");
        standbys = List.copyOf(standbys);
    }

    /** This node owns the partition. */
    public static PartitionOwner local(int partition, String endpoint) {
        return new PartitionOwner(partition, Optional.of(endpoint), true, List.of());
    }

    /** No node owns the partition now. */
    public static PartitionOwner unknown(int partition) {
        return new PartitionOwner(partition, Optional.empty(), false, List.of());
    }

    public boolean known() {
        return active.isPresent();
    }
}
