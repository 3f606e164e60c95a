package io.meridian.bench;

import java.util.Arrays;

/**
 * Keeps every latency sample of a measurement window and computes exact percentiles at the end. HdrHistogram is only
 * on the runtime classpath (via micrometer), not the compile one, and a 20 s window at tens of thousands of ops/s is
 * a few MB of longs, so exact samples are both simpler and more precise. Thread-safe (one monitor; at these rates
 * the contention is far below the latencies measured).
 */
final class LatencyRecorder {
    private long[] samples = new long[1 << 16];
    private int size;

    synchronized void record(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[size++] = nanos;
    }

    synchronized LatencyStats stats() {
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new LatencyStats(size, millis(percentile(sorted, 0.50)), millis(percentile(sorted, 0.99)),
                millis(size == 0 ? 0 : sorted[size - 1]));
    }

    /** Nearest-rank percentile: the smallest sample with at least {@code q} of all samples at or below it. */
    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** Latencies of one window, in milliseconds. */
    record LatencyStats(long count, double p50Ms, double p99Ms, double maxMs) {
    }
}
