package io.meridian.router.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a tenant, a client): each holds up to {@code burst} tokens and gains {@code perSecond} a
 * second; a request takes one. Buckets of keys not seen for a minute are dropped (a returning key starts full), and
 * at most {@value #MAX_KEYS} are kept, the least recently used dropped first. Thread-safe.
 */
public final class RateLimiter {
    static final int MAX_KEYS = 100_000;

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanos;
    private final Cache<String, Bucket> buckets;

    /**
     * @param perSecond tokens a second, {@code > 0}
     * @param burst     the bucket's size, at least 1
     * @param nanos     the time source ({@code System::nanoTime})
     */
    public RateLimiter(double perSecond, int burst, LongSupplier nanos) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs perSecond > 0 and burst >= 1, got " + perSecond
                    + " and " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanos = nanos;
        this.buckets = Caffeine.newBuilder().maximumSize(MAX_KEYS).expireAfterAccess(Duration.ofMinutes(1)).build();
    }

    /** Takes a token of {@code key}'s bucket: {@link Duration#ZERO} when there was one, else how long until one. */
    public Duration tryAcquire(String key) {
        long now = nanos.getAsLong();
        return buckets.get(key, k -> new Bucket(burst, now)).take(now, perSecond, burst);
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized Duration take(long now, double perSecond, double burst) {
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * perSecond);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - tokens) / perSecond * 1e9));
        }
    }
}
