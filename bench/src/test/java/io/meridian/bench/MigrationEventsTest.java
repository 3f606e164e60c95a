package io.meridian.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The pause's two parts, as the controller's switch reason states them. */
class MigrationEventsTest {
    @Test
    void shouldReadWhereThePauseWentFromTheSwitchReason() {
        assertArrayEquals(new double[] {46, 15}, MigrationEvents.pauseTiming(
                "eu-west applied up to 0:1137 as eu-west-1 answered (asked 46 ms into the pause, answered 15 ms later)"));
        assertArrayEquals(new double[] {120, Double.NaN}, MigrationEvents.pauseTiming(
                "eu-west applied up to 0:9 as its heartbeats report (asked 120 ms into the pause, no answer yet)"));
        assertArrayEquals(new double[] {Double.NaN, Double.NaN}, MigrationEvents.pauseTiming("switched"));
    }
}
