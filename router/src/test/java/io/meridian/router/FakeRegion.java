package io.meridian.router;

import io.meridian.streams.NotReadyException;
import io.meridian.infra.model.Placement;
import io.meridian.router.internal.RegionView;
import io.meridian.streams.RegionStreams;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.SyncTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A region's state in memory: placements and documents, with the view's change notifications. */
final class FakeRegion implements RegionView {
    final Map<String, Placement> placements = new ConcurrentHashMap<>();
    final Map<String, StoredDocument> docs = new ConcurrentHashMap<>();
    private final List<Consumer<Placement>> listeners = new CopyOnWriteArrayList<>();
    volatile boolean ready = true;
    volatile RuntimeException failure;
    /** This region's syncs, as an applier would report them; null: no applier. */
    volatile SyncTracker syncs;

    /** Like the placement view: store, then tell the listeners. */
    void setPlacement(Placement placement) {
        placements.put(placement.tenant(), placement);
        listeners.forEach(l -> l.accept(placement));
    }

    static String docKey(String tenant, String key) {
        return tenant + "/" + key;
    }

    private void check() {
        if (!ready) {
            throw new NotReadyException("stores not queryable (test)", null);
        }
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    @Override
    public Optional<Placement> placement(String tenant) {
        check();
        return Optional.ofNullable(placements.get(tenant));
    }

    @Override
    public List<Placement> placements() {
        check();
        return new ArrayList<>(placements.values());
    }

    @Override
    public Optional<StoredDocument> document(String tenant, String key) {
        check();
        return Optional.ofNullable(docs.get(docKey(tenant, key)));
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void addPlacementListener(Consumer<Placement> listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<SyncTracker> syncs() {
        return Optional.ofNullable(syncs);
    }
}
