package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PerWriteTest {

    @Test
    void shouldDivideTheWindowsAmountByItsAcknowledgedWrites() {
        assertEquals(11.05, PerWrite.of(22_100, 2_000), 1e-12);
        assertEquals(0.25, PerWrite.of(1, 4), 1e-12);
    }

    @Test
    void shouldBeNaNWhenNothingWasAcknowledged() {
        assertTrue(Double.isNaN(PerWrite.of(500, 0)));
    }
}
