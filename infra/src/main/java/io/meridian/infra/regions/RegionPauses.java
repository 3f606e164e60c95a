package io.meridian.infra.regions;

import io.meridian.infra.model.RegionPause;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Which regions the operator paused, as read from {@code meridian.regions}, and the way to change it. Every node holds
 * one ({@link KafkaRegionPauses}); the applier, the router, the heartbeats and the controller all ask it. Implementations
 * are thread-safe.
 */
public interface RegionPauses {

    /** The region's latest intent, or {@link RegionPause#running} when nobody ever paused it. */
    RegionPause state(String region);

    default boolean isPaused(String region) {
        return state(region).paused();
    }

    /** The latest intent of every region that has one, by region name. */
    Map<String, RegionPause> all();

    /**
     * The operator's cluster-wide intent for automatic failover ({@link RegionPause#AUTOMATIC_FAILOVER}): paused
     * while the controller must not fail regions over on its own; running when nobody ever paused it.
     */
    default RegionPause automaticFailover() {
        return state(RegionPause.AUTOMATIC_FAILOVER);
    }

    /**
     * Publishes {@code intent}; completes once this node reads it back (so the answer and every later read on this
     * node agree), or exceptionally when Kafka refused it.
     */
    CompletableFuture<RegionPause> publish(RegionPause intent);

    /**
     * Completes once this node has read every intent any node published before the call: a decision that depends on
     * the current intent (is the region paused already?) made after it sees other nodes' publications too.
     */
    CompletableFuture<Void> caughtUp();

    /** {@code listener} hears every change of a region's paused flag, on the reader's thread; keep it quick. */
    void addListener(Consumer<RegionPause> listener);

    /** No region is paused until {@link #publish} says so; nothing is kept beyond the JVM (tests, tools). */
    static RegionPauses inMemory() {
        return new InMemory();
    }

    /** Lookup of the intent of one region in {@code map}, running when absent. */
    static RegionPause stateIn(Map<String, RegionPause> map, String region) {
        return Optional.ofNullable(map.get(region)).orElseGet(() -> RegionPause.running(region));
    }

    /** {@link RegionPauses} in memory: {@link #publish} takes effect at once. Thread-safe. */
    final class InMemory implements RegionPauses {
        private final Map<String, RegionPause> intents = new ConcurrentHashMap<>();
        private final List<Consumer<RegionPause>> listeners = new CopyOnWriteArrayList<>();

        private InMemory() {
        }

        @Override
        public RegionPause state(String region) {
            return stateIn(intents, region);
        }

        @Override
        public Map<String, RegionPause> all() {
            TreeMap<String, RegionPause> regions = new TreeMap<>(intents);
            regions.remove(RegionPause.AUTOMATIC_FAILOVER);
            return Collections.unmodifiableSortedMap(regions);
        }

        @Override
        public CompletableFuture<RegionPause> publish(RegionPause intent) {
            RegionPause previous = intents.put(intent.region(), intent);
            if ((previous != null && previous.paused()) != intent.paused()) {
                listeners.forEach(l -> l.accept(intent));
            }
            return CompletableFuture.completedFuture(intent);
        }

        @Override
        public CompletableFuture<Void> caughtUp() {
            return CompletableFuture.completedFuture(null);  // one JVM: every publication is seen at once
        }

        @Override
        public void addListener(Consumer<RegionPause> listener) {
            listeners.add(listener);
        }
    }
}
