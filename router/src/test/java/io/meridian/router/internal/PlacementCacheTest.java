package io.meridian.router.internal;

import io.meridian.streams.NotReadyException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.router.RouterMetrics;
import io.meridian.streams.RegionStreams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PlacementCacheTest {
    private final Map<String, Placement> view = new ConcurrentHashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PlacementCache cache = new PlacementCache(tenant -> {
        loads.incrementAndGet();
        return Optional.ofNullable(view.get(tenant));
    }, Duration.ofSeconds(30), 2, new RouterMetrics(registry), nanos::get);

    private static Placement placement(String tenant, long epoch) {
        return new Placement(tenant, "us-east", List.of("us-east"), epoch, WriteState.ACTIVE, ConflictStrategy.REJECT,
                ReplicationMode.SINGLE_PRIMARY);
    }

    private double gets(String result) {
        return registry.get(RouterMetrics.PLACEMENT_CACHE_GETS).tag(RouterMetrics.TAG_RESULT, result).counter().count();
    }

    @Test
    void shouldServeRepeatedLookUpsFromTheCacheAndCountHitsAndMisses() {
        view.put("acme", placement("acme", 1));
        assertEquals(Optional.of(placement("acme", 1)), cache.get("acme"));
        assertEquals(Optional.of(placement("acme", 1)), cache.get("acme"));
        assertEquals(1, loads.get());
        assertEquals(1.0, gets("hit"));
        assertEquals(1.0, gets("miss"));
    }

    @Test
    void shouldReadTheNewPlacementRightAfterAChangeIsNotified() {
        view.put("acme", placement("acme", 1));
        cache.get("acme");
        view.put("acme", placement("acme", 2));
        assertEquals(1, cache.get("acme").orElseThrow().epoch(), "stale until told");

        cache.onPlacementChange(placement("acme", 2));

        assertEquals(2, cache.get("acme").orElseThrow().epoch());
    }

    @Test
    void shouldInvalidateOneTenantOrAll() {
        view.put("a", placement("a", 1));
        view.put("b", placement("b", 1));
        cache.get("a");
        cache.get("b");
        cache.invalidate("a");
        cache.get("a");
        cache.get("b");
        assertEquals(3, loads.get());
        cache.invalidateAll();
        cache.get("a");
        cache.get("b");
        assertEquals(5, loads.get());
    }

    @Test
    void shouldNotCacheUnknownTenantsSoThatANewTenantIsVisibleAtOnce() {
        assertEquals(Optional.empty(), cache.get("fresh"));
        view.put("fresh", placement("fresh", 1));
        assertEquals(1, cache.get("fresh").orElseThrow().epoch());
        assertEquals(2, loads.get());
    }

    @Test
    void shouldExpireEntriesAfterTheTtl() {
        view.put("acme", placement("acme", 1));
        cache.get("acme");
        view.put("acme", placement("acme", 2));
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        assertEquals(2, cache.get("acme").orElseThrow().epoch());
    }

    @Test
    void shouldKeepAtMostTheConfiguredNumberOfTenants() {
        for (String t : List.of("a", "b", "c", "d")) {
            view.put(t, placement(t, 1));
            cache.get(t);
        }
        assertTrue(cache.size() <= 2, "size " + cache.size());
    }

    @Test
    void shouldPassNotReadyThroughAndCacheNothing() {
        PlacementCache failing = new PlacementCache(tenant -> {
            throw new NotReadyException("starting", null);
        }, Duration.ofSeconds(30), 10, new RouterMetrics(new SimpleMeterRegistry()));
        assertThrows(NotReadyException.class, () -> failing.get("acme"));
        assertEquals(0, failing.size());
    }
}
