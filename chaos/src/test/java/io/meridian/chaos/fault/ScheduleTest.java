package io.meridian.chaos.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void shouldDrawTheSameScheduleFromTheSameSeed() {
        assertEquals(Schedule.of(42, Fault.MIXED, 300_000), Schedule.of(42, Fault.MIXED, 300_000));
        assertFalse(Schedule.of(42, Fault.MIXED, 300_000).equals(Schedule.of(43, Fault.MIXED, 300_000)));
    }

    @Test
    void shouldKeepEveryFaultInsideTheRunAndAfterTheWarmUp() {
        for (long seed = 1; seed <= 50; seed++) {
            Schedule schedule = Schedule.of(seed, Fault.BROKER_KILL, 60_000);
            assertFalse(schedule.steps().isEmpty());
            for (Schedule.Step step : schedule.steps()) {
                assertEquals(Fault.BROKER_KILL, step.fault());
                assertTrue(step.atMs() >= Schedule.WARM_UP_MS);
                assertTrue(step.holdMs() >= Fault.BROKER_KILL.minHoldMs()
                        && step.holdMs() <= Fault.BROKER_KILL.maxHoldMs());
            }
        }
    }

    @Test
    void shouldParseEveryFaultByItsCommandLineName() {
        for (Fault fault : Fault.values()) {
            assertEquals(fault, Fault.parse(fault.cliName()));
        }
    }
}
