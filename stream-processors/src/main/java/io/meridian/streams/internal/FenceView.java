package io.meridian.streams.internal;

import io.meridian.infra.model.Placement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's fences store, with the fences of recently written tenants kept parsed: every data record needs its
 * tenant's fence, and a RocksDB read and a JSON parse per record cost more than the decision itself. Only the applier
 * writes the store, through this view, so what it keeps is always the store's value; a new view is opened whenever
 * Streams (re)initializes the task, so a rolled-back transaction leaves nothing stale behind. Not thread-safe: one
 * per task.
 */
final class FenceView {
    /** Tenants kept parsed per task; beyond, the least recently used are read from the store again. */
    static final int CAPACITY = 10_000;

    private final KeyValueStore<String, Placement> store;
    private final Map<String, Placement> recent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Placement> eldest) {
            return size() > CAPACITY;
        }
    };

    FenceView(KeyValueStore<String, Placement> store) {
        this.store = store;
    }

    /** The fence in force for {@code tenant}, or null when it has none. */
    Placement get(String tenant) {
        Placement fence = recent.get(tenant);
        if (fence == null) {
            fence = store.get(tenant);
            if (fence != null) {
                recent.put(tenant, fence);
            }
        }
        return fence;
    }

    void put(String tenant, Placement fence) {
        store.put(tenant, fence);
        recent.put(tenant, fence);
    }
}
