package io.meridian.router.internal;

import io.meridian.streams.NotReadyException;
import io.meridian.infra.model.Placement;
import io.meridian.streams.PartitionOwner;
import io.meridian.streams.RegionStreams;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.SyncTracker;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the router reads from this region's state: the placement view and the materialized documents. Production
 * uses {@link #of(RegionStreams)}; tests plug in a map. Methods may throw {@link NotReadyException}.
 */
public interface RegionView {
    Optional<Placement> placement(String tenant);

    List<Placement> placements();

    Optional<StoredDocument> document(String tenant, String key);

    boolean isReady();

    /**
     * The node of this region owning WAL {@code partition} now. Views without Kafka Streams metadata (tests) own
     * every partition.
     */
    default PartitionOwner owner(int partition) {
        return PartitionOwner.local(partition, "local");
    }

    /** {@code listener} hears every placement change after the view shows it; it must be quick. */
    void addPlacementListener(Consumer<Placement> listener);

    /** This region's syncs (full sync, re-seed), when the view has an applier. */
    default Optional<SyncTracker> syncs() {
        return Optional.empty();
    }

    /** The digest of this region's copy of {@code tenant} (documents, bytes, digest), when the view has an applier. */
    default Optional<Map<String, Object>> digest(String tenant) {
        return Optional.empty();
    }

    /**
     * The digest of this region's copy of {@code tenant} read from the tenant's WAL partition (with each document's
     * digest when {@code withKeys}); empty when the view has no applier.
     *
     * @throws io.meridian.streams.NotReadyException when this node does not hold the partition queryable now
     */
    default Optional<io.meridian.streams.TenantDigest.Snapshot> digestSnapshot(String tenant, boolean withKeys) {
        return Optional.empty();
    }

    static RegionView of(RegionStreams streams) {
        return new RegionView() {
            @Override
            public Optional<Placement> placement(String tenant) {
                return streams.placement(tenant);
            }

            @Override
            public List<Placement> placements() {
                return streams.placements();
            }

            @Override
            public Optional<StoredDocument> document(String tenant, String key) {
                return streams.document(tenant, key);
            }

            @Override
            public boolean isReady() {
                return streams.isReady();
            }

            @Override
            public PartitionOwner owner(int partition) {
                return streams.owner(partition);
            }

            @Override
            public void addPlacementListener(Consumer<Placement> listener) {
                streams.addPlacementListener(listener);
            }

            @Override
            public Optional<SyncTracker> syncs() {
                return Optional.of(streams.syncs());
            }

            @Override
            public Optional<Map<String, Object>> digest(String tenant) {
                return streams.digest(tenant);
            }

            @Override
            public Optional<io.meridian.streams.TenantDigest.Snapshot> digestSnapshot(String tenant,
                                                                                     boolean withKeys) {
                return Optional.of(streams.digestSnapshot(tenant, withKeys));
            }
        };
    }
}
