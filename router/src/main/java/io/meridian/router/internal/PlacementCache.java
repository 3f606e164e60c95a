package io.meridian.router.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.meridian.infra.model.Placement;
import io.meridian.router.RouterMetrics;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The router's cache of placements over the placement view. Entries expire after a TTL (a safety net only): every
 * placement change invalidates its tenant at once ({@link #onPlacementChange}), so a write never runs on a placement
 * the view has already replaced. Unknown tenants are never cached: a tenant created a moment ago is visible on the
 * next request. Hits and misses go to {@link RouterMetrics#PLACEMENT_CACHE_GETS}. Thread-safe.
 */
public final class PlacementCache {
    private final Cache<String, Placement> cache;
    private final Function<String, Optional<Placement>> source;

    public PlacementCache(Function<String, Optional<Placement>> source, Duration ttl, long maxTenants,
                          RouterMetrics metrics) {
        this(source, ttl, maxTenants, metrics, Ticker.systemTicker());
    }

    PlacementCache(Function<String, Optional<Placement>> source, Duration ttl, long maxTenants,
                   RouterMetrics metrics, Ticker ticker) {
        this.source = source;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(maxTenants)
                .ticker(ticker)
                .recordStats(() -> new MeterStats(metrics))
                .build();
        Gauge.builder(RouterMetrics.PLACEMENT_CACHE_SIZE, cache, Cache::estimatedSize)
                .description("Placements in the router's cache").register(metrics.registry());
    }

    /** The tenant's placement, from the cache or the view; empty when the tenant has none (not cached). */
    public Optional<Placement> get(String tenant) {
        // A loader returning null stores nothing: negative answers are looked up again next time.
        return Optional.ofNullable(cache.get(tenant, t -> source.apply(t).orElse(null)));
    }

    public void invalidate(String tenant) {
        cache.invalidate(tenant);
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** Wired to the placement view's change listener: the next look-up reads the new placement. */
    public void onPlacementChange(Placement placement) {
        invalidate(placement.tenant());
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** Feeds Caffeine's statistics into Micrometer counters. */
    private static final class MeterStats implements StatsCounter {
        private final RouterMetrics metrics;

        MeterStats(RouterMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void recordHits(int count) {
            metrics.cacheHits(count);
        }

        @Override
        public void recordMisses(int count) {
            metrics.cacheMisses(count);
        }

        @Override
        public void recordLoadSuccess(long loadTime) {
        }

        @Override
        public void recordLoadFailure(long loadTime) {
        }

        @Override
        public void recordEviction(int weight, RemovalCause cause) {
            metrics.cacheEviction(cause.name().toLowerCase(Locale.ROOT));
        }

        @Override
        public CacheStats snapshot() {
            return CacheStats.empty();
        }
    }
}
