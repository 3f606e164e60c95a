package io.meridian.bench;

import io.meridian.infra.concurrent.NamedThreads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop writer that runs until closed, for measurements whose length is not known in advance (a migration, a
 * failover): writes are scheduled at a fixed rate whatever the answers do, and latency runs from the scheduled time
 * (as in {@link WriteLoad#openLoop}), so a stall shows as latency instead of as a lower rate. Results go to the
 * {@link LoadWindow} current when each write was scheduled; none while no window is set (warm-up). Beyond
 * {@code maxInFlight} outstanding writes the sender waits, and the wait counts as latency. Thread-safe.
 */
final class PacedLoad implements AutoCloseable {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private final WriteTarget target;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final Thread sender;
    private final AtomicLong sent = new AtomicLong();
    private final Map<String, Boolean> announced = new ConcurrentHashMap<>();
    private volatile LoadWindow window;
    private volatile boolean stopped;

    private PacedLoad(WriteTarget target, int rate, int maxInFlight) {
        this.target = target;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.sender = NamedThreads.thread("bench-paced-" + target.name(), () -> send(rate));
    }

    /** Starts writing at {@code rate} writes per second through {@code target}. */
    static PacedLoad start(WriteTarget target, int rate, int maxInFlight) {
        PacedLoad load = new PacedLoad(target, rate, maxInFlight);
        load.sender.start();
        return load;
    }

    /** Writes scheduled from now on count in {@code next} ({@code null}: nowhere). */
    void measureInto(LoadWindow next) {
        window = next;
    }

    long sent() {
        return sent.get();
    }

    private void send(int rate) {
        double period = 1e9 / rate;
        long start = System.nanoTime();
        for (long i = 0; !stopped; i++) {
            long due = start + Math.round(i * period);
            for (long left = due - System.nanoTime(); left > 0 && !stopped; left = due - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            LoadWindow counted = window;
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long seq = i;
            sent.incrementAndGet();
            try {
                target.write(seq).whenComplete((ok, error) -> {
                    long latency = System.nanoTime() - due;
                    inFlight.release();
                    if (error != null && announced.putIfAbsent(WriteLoad.kindOf(error), true) == null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        Progress.line("  first write error of kind '%s': %s", WriteLoad.kindOf(error), cause);
                    }
                    if (counted != null) {
                        counted.completed(seq, latency, error);
                    }
                });
            } catch (RuntimeException e) {
                inFlight.release();
                if (counted != null) {
                    counted.completed(seq, System.nanoTime() - due, e);
                }
            }
        }
    }

    /** Stops sending and waits (bounded) for the writes in flight. */
    @Override
    public void close() {
        stopped = true;
        try {
            sender.join(DRAIN_TIMEOUT.toMillis());
            if (!inFlight.tryAcquire(maxInFlight, DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                Progress.line("  %d writes still unanswered after %s", maxInFlight - inFlight.availablePermits(),
                        Progress.seconds(DRAIN_TIMEOUT));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
