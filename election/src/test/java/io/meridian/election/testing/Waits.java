package io.meridian.election.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.awaitility.core.ConditionFactory;

/**
 * Bounded, polling waits with timeouts that scale like Curator's {@code Timing}: set the system property
 * {@code timing-multiple} (e.g. {@code -Dtiming-multiple=3}) on a slow machine. Never sleep to wait.
 */
public final class Waits {
    public static final double MULTIPLE = Double.parseDouble(System.getProperty("timing-multiple", "1"));

    private Waits() {
    }

    public static Duration scaled(Duration d) {
        return Duration.ofMillis((long) (d.toMillis() * MULTIPLE));
    }

    /** Polls every 10 ms for up to {@code bound} (scaled). */
    public static ConditionFactory within(Duration bound) {
        return await().atMost(scaled(bound)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }
}
