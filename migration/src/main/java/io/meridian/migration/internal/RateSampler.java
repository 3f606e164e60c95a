package io.meridian.migration.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Rates of growing counters (WAL end offsets, a region's applied offset) over a sliding window of samples. Not
 * thread-safe: the duties thread only.
 */
final class RateSampler {
    private static final long MIN_SPAN_MS = 500;

    private final long windowMs;
    private final Map<String, Deque<long[]>> samples = new HashMap<>();

    RateSampler(long windowMs) {
        this.windowMs = windowMs;
    }

    void observe(String key, long value, long nowMs) {
        Deque<long[]> deque = samples.computeIfAbsent(key, k -> new ArrayDeque<>());
        long[] last = deque.peekLast();
        if (last != null && (nowMs <= last[0] || value < last[1])) {
            if (value < last[1]) {
                deque.clear();  // went backwards (e.g. a reassigned partition): start over
            } else {
                return;
            }
        }
        deque.addLast(new long[] {nowMs, value});
        while (deque.size() > 2 && nowMs - deque.peekFirst()[0] > windowMs) {
            deque.removeFirst();
        }
    }

    /** Units per second over the window; empty until two samples at least half a second apart exist. */
    OptionalDouble rate(String key) {
        Deque<long[]> deque = samples.get(key);
        if (deque == null || deque.size() < 2) {
            return OptionalDouble.empty();
        }
        long[] first = deque.peekFirst();
        long[] last = deque.peekLast();
        long span = last[0] - first[0];
        if (span < MIN_SPAN_MS) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((last[1] - first[1]) * 1000.0 / span);
    }

    static String wal(int partition) {
        return "wal:" + partition;
    }

    static String applied(String region, int partition) {
        return region + ":" + partition;
    }
}
