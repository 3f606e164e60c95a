package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParentWatchdogTest {

    @Test
    void shouldCountOnlyTheLiveParentOfThisProcess() {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();

        assertTrue(ParentWatchdog.parentAlive(parent));
        // Any other process, alive or not, is not the launcher: a reused pid never keeps an orphan running.
        assertFalse(ParentWatchdog.parentAlive(ProcessHandle.current().pid()));
    }
}
