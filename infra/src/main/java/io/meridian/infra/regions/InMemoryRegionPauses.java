package io.meridian.infra.regions;

import io.meridian.infra.model.RegionPause;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** {@link RegionPauses} in memory: {@link #publish} takes effect at once. Thread-safe. */
final class InMemoryRegionPauses implements RegionPauses {
    private final Map<String, RegionPause> intents = new ConcurrentHashMap<>();
    private final List<Consumer<RegionPause>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public RegionPause state(String region) {
        return RegionPauses.stateIn(intents, region);
    }

    @Override
    public Map<String, RegionPause> all() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(intents));
    }

    @Override
    public CompletableFuture<RegionPause> publish(RegionPause intent) {
        RegionPause previous = intents.put(intent.region(), intent);
        if ((previous == null ? false : previous.paused()) != intent.paused()) {
            listeners.forEach(l -> l.accept(intent));
        }
        return CompletableFuture.completedFuture(intent);
    }

    @Override
    public void addListener(Consumer<RegionPause> listener) {
        listeners.add(listener);
    }
}
