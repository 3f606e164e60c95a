package io.meridian.router.internal;

import io.meridian.streams.NotReadyException;
import io.meridian.infra.model.Placement;
import io.meridian.streams.PartitionOwner;
import io.meridian.streams.RegionStreams;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.SyncTracker;
import io.meridian.streams.PlacementPage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What the router reads from this region's state: the placement view and the materialized documents. Production
 * uses {@link #of(RegionStreams)}; tests plug in a map. Methods may throw {@link NotReadyException}.
 */
public interface RegionView {
    Optional<Placement> placement(String tenant);

    List<Placement> placements();

    Optional<StoredDocument> document(String tenant, String key);

    /**
     * A page of placements after tenant {@code after} (exclusive; null: from the first), in tenant order: at most
     * {@code limit} that {@code filter} accepts, looking at no more than {@code scanBudget}. Views over a store read a
     * range of it; this default sorts {@link #placements()} (tests).
     */
    default PlacementPage placements(String after, int limit, int scanBudget, Predicate<Placement> filter) {
        List<Placement> sorted = placements().stream().filter(p -> after == null || p.tenant().compareTo(after) > 0)
                .sorted(Comparator.comparing(Placement::tenant)).toList();
        List<Placement> page = new ArrayList<>();
        int scanned = 0;
        for (Placement placement : sorted) {
            if (page.size() == limit || scanned == scanBudget) {
                return new PlacementPage(page, Optional.of(sorted.get(scanned - 1).tenant()));
            }
            scanned++;
            if (filter.test(placement)) {
                page.add(placement);
            }
        }
        return new PlacementPage(page, Optional.empty());
    }

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
            public PlacementPage placements(String after, int limit, int scanBudget, Predicate<Placement> filter) {
                return streams.placements(after, limit, scanBudget, filter);
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
