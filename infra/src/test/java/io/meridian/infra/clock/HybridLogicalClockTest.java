package io.meridian.infra.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    @Test
    void shouldStampLaterThanATimestampObservedFromAFastClock() {
        MutableClock slow = new MutableClock(Instant.ofEpochMilli(1_000));
        HybridLogicalClock hlc = new HybridLogicalClock(slow);
        long fromFastRegion = 5_000L << 16;  // four seconds ahead

        long next = hlc.nowAfter(fromFastRegion);

        assertTrue(next > fromFastRegion);
        assertEquals(5_000, HybridLogicalClock.physicalMillis(next), "stays close to the newest time seen");
        assertTrue(hlc.now() > next, "and keeps increasing after it");
    }

    @Test
    void shouldFollowTheWallClockWhenItIsAheadOfWhatWasObserved() {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(10_000));
        HybridLogicalClock hlc = new HybridLogicalClock(clock);
        hlc.now();
        clock.advance(Duration.ofMillis(5));

        long next = hlc.nowAfter(1L << 16);

        assertEquals(10_005L << 16, next);
    }
}
