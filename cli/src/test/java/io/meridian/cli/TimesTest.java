package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimesTest {
    @Test
    void shouldShowAgesInAtMostTwoUnits() {
        assertEquals("850ms", Times.age(850));
        assertEquals("12.3s", Times.age(12_340));
        assertEquals("5m 03s", Times.age(303_000));
        assertEquals("2h 04m", Times.age(7_440_000));
        assertEquals("3d 02h", Times.age(3 * 86_400_000L + 2 * 3_600_000L));
    }

    @Test
    void shouldShowInstantsWithHowLongAgoOrHowSoon() {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");
        assertEquals("2026-12-03 11:55:00Z (5m 00s ago)", Times.when(Instant.parse("2026-12-03T11:55:00Z"), now));
        assertEquals("2026-12-03 12:02:00Z (in 2m 00s)", Times.when(Instant.parse("2026-12-03T12:02:00Z"), now));
    }
}
