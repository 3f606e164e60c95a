package io.meridian.chaos;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.chaos.fault.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short tier of the fault harness, run by {@code mvn -B verify}: three fault kinds with one seed on one
 * deployment of the harness. Asserts safety only (nothing acknowledged lost, applied twice, read stale, no two
 * controllers in one epoch, every migration ended); the availability figures are the long tier's report, not a test.
 */
@Tag("integration")
@Tag("chaos-short")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ChaosShortTierTest {
    private static final long SEED = 7;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryPromiseUnderABrokerKillANodeKillAndAZooKeeperRestart() {
        List<RunResult> runs = new ChaosPlan(List.of(Fault.BROKER_KILL, Fault.NODE_KILL, Fault.ZK_RESTART),
                List.of(SEED), Duration.ofSeconds(25), 4, "zookeeper", dir).execute();
        Report.table(runs, System.out);
        assertEquals(3, runs.size());
        assertAll(runs.stream().map(run -> () -> {
            var f = run.findings();
            assertTrue(run.acknowledged() > 0, run.name() + ": nothing was acknowledged");
            assertFalse(f.faults().isEmpty(), run.name() + ": no fault was injected");
            assertEquals(0, f.lost(), run.name() + " lost acknowledged writes: " + f.examples());
            assertEquals(0, f.overwrittenByOlder(), run.name() + " overwrote with older: " + f.examples());
            assertEquals(0, f.duplicates(), run.name() + " applied an Idempotency-Key twice: " + f.examples());
            assertEquals(0, f.staleReads(), run.name() + " served stale reads: " + f.examples());
            assertEquals(0, f.controllerConflicts(), run.name() + " had two controllers: " + f.examples());
            assertEquals(0, f.unfinishedMigrations(), run.name() + " left migrations unfinished: " + f.examples());
            assertEquals(0, f.divergentTenants(), run.name() + " diverged: " + f.examples());
            assertEquals(0, f.unreadable(), run.name() + " has regions that never caught up: " + f.examples());
        }));
    }
}
