package io.meridian.bench;

import io.meridian.infra.concurrent.NamedThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a {@link WriteTarget} in a closed loop (N writers, each waiting for its acknowledgement before the next write)
 * or an open loop (writes scheduled at a fixed rate whatever the answers do). Each run first drives the target for a
 * warm-up that is not measured, then measures a window. Not thread-safe: one run at a time.
 */
final class WriteLoad {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    /** Open loop: how far the sender may fall behind the window's end before it gives up on the rest. */
    private static final Duration OVERRUN = Duration.ofSeconds(10);

    /**
     * Closed loop. A write is counted in the window it completes in; the window's throughput is the writes that
     * completed in it divided by its length.
     */
    LoadResult closedLoop(String scenario, WriteTarget target, int writers, Duration warmup, Duration duration) {
        return closedLoop(scenario, target, writers, warmup, duration, () -> { }, () -> { });
    }

    /**
     * Closed loop, with {@code opening} run right before the window opens and {@code closing} right before it closes,
     * both while the writers keep writing. Whatever they measure takes as long at both edges, so the time it takes
     * cancels out instead of widening the window it measures.
     */
    LoadResult closedLoop(String scenario, WriteTarget target, int writers, Duration warmup, Duration duration,
                          Runnable opening, Runnable closing) {
        Window window = new Window();
        AtomicLong seq = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            threads.add(new Thread(() -> {
                while (!window.stopped) {
                    long start = System.nanoTime();
                    try {
                        target.write(seq.getAndIncrement()).get();
                        window.succeeded(System.nanoTime() - start);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (ExecutionException | RuntimeException e) {
                        window.failed(e);
                        // A target that fails at once (connection refused) would otherwise spin 64 threads hot and
                        // starve the cluster on the same cores; errors are counted, not timed.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }
            }, "bench-writer-" + i));
        }
        try (var ticker = window.ticker(scenario, target)) {
            threads.forEach(Thread::start);
            window.phase("warm-up", warmup);
            sleep(warmup);
            opening.run();
            window.open();
            window.phase("measuring", duration);
            sleep(duration);
            closing.run();
            window.close();
            window.stopped = true;
            for (Thread thread : threads) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        double seconds = (window.closedAt - window.openedAt) / 1e9;
        return window.result(scenario, target, seconds, 0);
    }

    /**
     * Open loop at {@code rate} writes per second. Latency runs from the write's scheduled time, not from when it was
     * actually sent: if the sender or the in-flight cap falls behind, the waiting is charged to the latency instead of
     * silently lowering the load (coordinated omission). A write belongs to the window its scheduled time falls in;
     * the achieved rate is those writes' successes divided by the time from the window's start to the last of them
     * completing, so an overloaded target that drains late shows a lower rate. A target far slower than the rate
     * would keep the sender busy for ages: once it is {@link #OVERRUN} past the window's end, the window's writes not
     * yet sent are counted as errors ({@code not sent: target saturated}) instead.
     */
    LoadResult openLoop(String scenario, WriteTarget target, int rate, int maxInFlight, Duration warmup,
                        Duration duration) {
        Window window = new Window();
        Semaphore inFlight = new Semaphore(maxInFlight);
        AtomicLong lastCompletion = new AtomicLong();
        double period = 1e9 / rate;
        long start = System.nanoTime();
        long windowStart = start + warmup.toNanos();
        long end = windowStart + duration.toNanos();
        window.openedAt = windowStart;
        try (var ticker = window.ticker(scenario, target)) {
            window.phase("warm-up", warmup);
            boolean announced = false;
            for (long i = 0; ; i++) {
                long due = start + Math.round(i * period);
                if (due >= end) {
                    break;
                }
                if (System.nanoTime() - end > OVERRUN.toNanos()) {
                    long unsent = 0;
                    for (long j = i; start + Math.round(j * period) < end; j++) {
                        unsent += start + Math.round(j * period) >= windowStart ? 1 : 0;
                    }
                    window.errors.computeIfAbsent("not sent: target saturated", k -> new LongAdder()).add(unsent);
                    break;
                }
                if (!announced && due >= windowStart) {
                    announced = true;
                    window.phase("measuring", duration);
                }
                // parkNanos wakes up to ~60 us late here; that lateness is part of the measured latency, as it should.
                for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                inFlight.acquire();
                boolean measured = due >= windowStart;
                try {
                    target.write(i).whenComplete((ok, error) -> {
                        long now = System.nanoTime();
                        inFlight.release();
                        window.completed(error == null);
                        if (!measured) {
                            if (error != null) {
                                window.announce(error);
                            }
                            return;
                        }
                        if (error == null) {
                            window.record(now - due);
                            lastCompletion.accumulateAndGet(now, Math::max);
                        } else {
                            window.fail(error);
                        }
                    });
                } catch (RuntimeException e) {
                    inFlight.release();
                    window.completed(false);
                    if (measured) {
                        window.fail(e);
                    }
                }
            }
            window.phase("draining in-flight writes", Duration.ZERO);
            if (!inFlight.tryAcquire(maxInFlight, DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                int stuck = maxInFlight - inFlight.availablePermits();
                window.errors.computeIfAbsent("unfinished after drain", k -> new LongAdder()).add(stuck);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        long last = Math.max(end, lastCompletion.get());
        return window.result(scenario, target, (last - windowStart) / 1e9, rate);
    }

    private static void sleep(Duration duration) throws InterruptedException {
        if (!duration.isZero()) {
            Thread.sleep(duration.toMillis());
        }
    }

    static String kindOf(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof WriteTarget.WriteFailure failure ? failure.kind() : cause.getClass().getSimpleName();
    }

    /** The measurements of one run: samples and errors of the window, plus totals for progress lines. */
    private static final class Window {
        final LatencyRecorder recorder = new LatencyRecorder();
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        final Map<String, Throwable> firstErrors = new ConcurrentHashMap<>();
        final LongAdder totalOk = new LongAdder();
        final LongAdder totalFailed = new LongAdder();
        final LongAdder measuredOk = new LongAdder();
        volatile boolean measuring;
        volatile boolean stopped;
        volatile String phase = "starting";
        long openedAt;
        long closedAt;

        void open() {
            openedAt = System.nanoTime();
            measuring = true;
        }

        void close() {
            measuring = false;
            closedAt = System.nanoTime();
        }

        void phase(String name, Duration length) {
            phase = name;
            Progress.line("  %s%s", name, length.isZero() ? "" : " for " + Progress.seconds(length));
        }

        /** Closed loop: counted if it completed inside the window. */
        void succeeded(long latencyNanos) {
            totalOk.increment();
            if (measuring) {
                record(latencyNanos);
            }
        }

        void failed(Throwable error) {
            totalFailed.increment();
            if (measuring) {
                fail(error);
            } else {
                announce(error);
            }
        }

        /** Open loop: totals only; the caller decides whether the write belongs to the window. */
        void completed(boolean ok) {
            (ok ? totalOk : totalFailed).increment();
        }

        /** A progress line for the first error of each kind, warm-up included: it tells what goes wrong. */
        void announce(Throwable error) {
            String kind = kindOf(error);
            if (firstErrors.putIfAbsent(kind, error) == null) {
                Progress.line("  first error of kind '%s': %s", kind, error.getMessage());
            }
        }

        void record(long latencyNanos) {
            recorder.record(latencyNanos);
            measuredOk.increment();
        }

        void fail(Throwable error) {
            String kind = kindOf(error);
            errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
            announce(error);
        }

        AutoCloseable0 ticker(String scenario, WriteTarget target) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    NamedThreads.factory("bench-progress"));
            long[] last = {0, System.nanoTime()};
            timer.scheduleAtFixedRate(() -> {
                long ok = totalOk.sum();
                long now = System.nanoTime();
                double rate = (ok - last[0]) / ((now - last[1]) / 1e9);
                last[0] = ok;
                last[1] = now;
                Progress.line("  [%s %s] %s: %.0f ok/s, %d ok, %d failed", scenario, target.name(), phase, rate, ok,
                        totalFailed.sum());
            }, PROGRESS_EVERY.toMillis(), PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            return timer::shutdownNow;
        }

        LoadResult result(String scenario, WriteTarget target, double seconds, int targetRate) {
            Map<String, Long> errorCounts = new TreeMap<>();
            errors.forEach((kind, count) -> errorCounts.put(kind, count.sum()));
            long ok = measuredOk.sum();
            return new LoadResult(scenario, target.name(), ok, seconds, seconds > 0 ? ok / seconds : 0, targetRate,
                    recorder.stats(), errorCounts);
        }
    }

    /** An {@link AutoCloseable} whose close throws nothing, for try-with-resources without a catch. */
    @FunctionalInterface
    private interface AutoCloseable0 extends AutoCloseable {
        @Override
        void close();
    }
}
