package io.meridian.bench;

import io.meridian.infra.model.Position;
import io.meridian.streams.ApplyListener;
import io.meridian.streams.ApplyOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts what a Streams app under test processed and notices when it has reached the target offset of every awaited
 * partition. It also notes when 10% and 90% of the expected records were processed: a fresh app's tasks start one by
 * one (the applier has three stores per task to create, the raw app one), so the span between those marks is the
 * steady-state rate, free of the ramp-up and of a tail where one last partition is left; the app's CPU time is read at
 * the same marks ({@link AppThreadsCpu}). The region applier reports through {@link ApplyListener}; the raw app calls
 * {@link #applied} itself, so both pay the same bookkeeping per record. Thread-safe.
 */
final class ApplyProgress implements ApplyListener {
    private final long[] targets;
    private final AtomicLongArray reached;
    private final AtomicInteger remaining;
    private final AtomicLong records = new AtomicLong();
    private final long lowMark;
    private final long highMark;
    private volatile long lowNanos;
    private volatile long highNanos;
    private volatile LongSupplier cpuNanos = () -> 0;
    private volatile long lowCpuNanos;
    private volatile long highCpuNanos;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final AtomicLong firstNanos = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long doneNanos;
    private volatile long recordsAtDone;

    /**
     * @param targets  the last offset to reach, per WAL partition
     * @param expected about how many records lie before the targets (offsets; transaction markers make it a bit less)
     */
    ApplyProgress(int partitions, Map<Integer, Long> targets, long expected) {
        this.lowMark = Math.max(1, expected / 10);
        this.highMark = Math.max(lowMark + 1, expected * 9 / 10);
        this.targets = new long[partitions];
        java.util.Arrays.fill(this.targets, -1);
        targets.forEach((partition, offset) -> this.targets[partition] = offset);
        this.reached = new AtomicLongArray(partitions);
        for (int p = 0; p < partitions; p++) {
            reached.set(p, -1);
        }
        this.remaining = new AtomicInteger(targets.size());
    }

    @Override
    public void onDecided(ApplyOutcome outcome) {
        (outcome.accepted() ? accepted : rejected).increment();
    }

    @Override
    public void onApplied(Position position) {
        applied(position.partition(), position.offset());
    }

    void applied(int partition, long offset) {
        long now = System.nanoTime();
        long count = records.incrementAndGet();
        firstNanos.compareAndSet(0, now);
        if (count == lowMark) {
            lowNanos = now;
            lowCpuNanos = cpuNanos.getAsLong();
        } else if (count == highMark) {
            highNanos = now;
            highCpuNanos = cpuNanos.getAsLong();
        }
        long before = reached.getAndAccumulate(partition, offset, Math::max);
        long target = targets[partition];
        if (target >= 0 && before < target && offset >= target && remaining.decrementAndGet() == 0) {
            recordsAtDone = count;
            doneNanos = now;
            done.countDown();
        }
    }

    /** Where the CPU time of the app under test is read from: set before the app starts. */
    void measureCpuWith(LongSupplier cpuNanos) {
        this.cpuNanos = cpuNanos;
    }

    boolean await(Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    long records() {
        return records.get();
    }

    /** Records per second between the 10% and the 90% marks; 0 if the marks were not both passed. */
    double steadyRate() {
        long low = lowNanos;
        long high = highNanos;
        return low == 0 || high == 0 || high <= low ? 0 : (highMark - lowMark) / ((high - low) / 1e9);
    }

    /** The app's CPU time per record between the 10% and the 90% marks, in microseconds; 0 if not measured. */
    double cpuMicrosPerRecord() {
        long cpu = highCpuNanos - lowCpuNanos;
        return highNanos == 0 || cpu <= 0 ? 0 : cpu / 1e3 / (highMark - lowMark);
    }

    /** Records processed from the first one to the moment every target was reached. */
    long recordsAtDone() {
        return recordsAtDone;
    }

    long firstNanos() {
        return firstNanos.get();
    }

    long doneNanos() {
        return doneNanos;
    }

    long accepted() {
        return accepted.sum();
    }

    long rejected() {
        return rejected.sum();
    }
}
