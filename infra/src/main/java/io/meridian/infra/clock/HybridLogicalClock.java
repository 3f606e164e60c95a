package io.meridian.infra.clock;

import java.time.Clock;

/**
 * A hybrid logical clock (Kulkarni et al.): physical milliseconds in the upper 48 bits, a logical counter in the lower
 * 16. Timestamps a node issues strictly increase, even when the wall clock steps back, and stay close to wall time,
 * so last-writer-wins decides by something that respects causality within a node. Thread-safe.
 */
public final class HybridLogicalClock {
    private static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private final Clock clock;
    private long last;

    public HybridLogicalClock(Clock clock) {
        this.clock = clock;
    }

    /** A new timestamp, greater than every one issued or observed before. */
    public synchronized long now() {
        long physical = clock.millis() << LOGICAL_BITS;
        last = Math.max(physical, last + 1);
        return last;
    }

    /**
     * A new timestamp, greater than every one issued or observed before and than {@code observed} (the newest
     * timestamp this node has seen from elsewhere, e.g. on records it applied): one step of {@link #observe} and
     * {@link #now}.
     */
    public synchronized long nowAfter(long observed) {
        long physical = clock.millis() << LOGICAL_BITS;
        last = Math.max(physical, Math.max(last, observed) + 1);
        return last;
    }

    /** Moves the clock past a timestamp seen from another node, so causally later writes get later timestamps. */
    public synchronized void observe(long remote) {
        last = Math.max(last, remote);
    }

    public static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    public static long logical(long hlc) {
        return hlc & LOGICAL_MASK;
    }
}
