package io.meridian.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * What a {@link PacedLoad} measured while this window was current: latency (from each write's scheduled time) and
 * errors by kind, for all writes and separately for the writes {@code focus} picks (e.g. those of the tenant being
 * migrated). A write counts in the window that was current when it was scheduled. Thread-safe.
 */
final class LoadWindow {
    private final Tally all = new Tally();
    private final Tally focused = new Tally();
    private final LongPredicate focus;
    private final AtomicLong lastOkNanos = new AtomicLong();

    LoadWindow(LongPredicate focus) {
        this.focus = focus;
    }

    static LoadWindow everything() {
        return new LoadWindow(seq -> false);
    }

    void completed(long seq, long latencyNanos, Throwable error) {
        all.add(latencyNanos, error);
        if (focus.test(seq)) {
            focused.add(latencyNanos, error);
        }
        if (error == null) {
            lastOkNanos.accumulateAndGet(System.nanoTime(), Math::max);
        }
    }

    Tally all() {
        return all;
    }

    Tally focused() {
        return focused;
    }

    /** {@link System#nanoTime()} of the last acknowledged write, 0 if none. */
    long lastOkNanos() {
        return lastOkNanos.get();
    }

    /** Acknowledged writes' latencies and failed writes by kind. */
    static final class Tally {
        private final LatencyRecorder latency = new LatencyRecorder();
        private final LongAdder ok = new LongAdder();
        private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

        void add(long latencyNanos, Throwable error) {
            if (error == null) {
                latency.record(latencyNanos);
                ok.increment();
            } else {
                errors.computeIfAbsent(WriteLoad.kindOf(error), k -> new LongAdder()).increment();
            }
        }

        long ok() {
            return ok.sum();
        }

        LatencyRecorder.LatencyStats latency() {
            return latency.stats();
        }

        Map<String, Long> errors() {
            Map<String, Long> counts = new TreeMap<>();
            errors.forEach((kind, count) -> counts.put(kind, count.sum()));
            return counts;
        }

        long errorCount() {
            return errors.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }
}
