package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    // A real line of a JVM, fields 14 (utime) and 15 (stime) are 4242 and 758.
    private static final String JVM = "10488 (java) S 3678 10488 10488 0 -1 1077936384 96571 0 12 0 4242 758 0 0 20 0"
            + " 97 0 3300451 3596730368 64638 18446744073709551615 1 1 0 0 0 0 4 0 16800975 0 0 0 17 1 0 0 0 0 0";

    @Test
    void shouldAddUserAndSystemTicks() {
        assertEquals(5_000, ProcStat.cpuTicks(JVM));
    }

    @Test
    void shouldCountFieldsFromTheLastParenthesisWhenTheCommandNameHasSpacesAndParentheses() {
        String odd = JVM.replace("(java)", "(a) b (c) d)");
        assertEquals(5_000, ProcStat.cpuTicks(odd));
    }

    @Test
    void shouldConvertClockTicksToMillis() {
        assertEquals(50_000, new ProcStat(100).ticksToMillis(5_000));
        assertEquals(5_000, new ProcStat(1_000).ticksToMillis(5_000));
    }

    @Test
    void shouldRejectWhatIsNotAStatLine() {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.cpuTicks("no parenthesis here"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.cpuTicks("1 (java) S 2 3"));
    }

    @Test
    void shouldReadThisProcess() {
        assertTrue(ProcStat.create().cpuMillis(ProcessHandle.current().pid()).isPresent());
        assertTrue(ProcStat.create().cpuMillis(Long.MAX_VALUE).isEmpty(), "no such process");
    }
}
