package io.meridian.migration.internal;

import io.meridian.election.health.HealthSnapshot;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rates of growing counters (WAL end offsets, a region's applied offset) over a sliding window of samples. Not
 * thread-safe: the duties thread only.
 */
final class RateSampler {
    private static final Logger LOG = LoggerFactory.getLogger(RateSampler.class);
    private static final long MIN_SPAN_MS = 500;
    /** WAL end offsets are sampled every tick while a migration runs, else this often (for dry-run estimates). */
    private static final long IDLE_SAMPLE_INTERVAL_MS = 5_000;

    private final long windowMs;
    private final List<Integer> walPartitions;
    private final Map<String, Deque<long[]>> samples = new HashMap<>();
    private long lastWalSampleAt = Long.MIN_VALUE;

    RateSampler(long windowMs, int walPartitions) {
        this.windowMs = windowMs;
        this.walPartitions = IntStream.range(0, walPartitions).boxed().toList();
    }

    /**
     * Samples every region's applied offsets (from {@code health}) and, while a migration runs or when the last sample
     * is old, the WAL end offsets (from the source: a read of Kafka). Never throws for the WAL's sake.
     */
    void sample(Supplier<MigrationSource> source, boolean migrating, HealthSnapshot health, long now) {
        if (migrating || lastWalSampleAt == Long.MIN_VALUE || now - lastWalSampleAt >= IDLE_SAMPLE_INTERVAL_MS) {
            lastWalSampleAt = now;
            try {
                source.get().walEndOffsets(walPartitions).forEach((p, end) -> observe(wal(p), end, now));
            } catch (RuntimeException e) {
                LOG.debug("cannot sample the WAL end offsets: {}", e.toString());
            }
        }
        health.regions().forEach((region, status) -> status.appliedOffsets()
                .forEach((p, offset) -> observe(applied(region, p), offset, now)));
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
