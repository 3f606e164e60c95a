package io.meridian.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A region that skipped WAL records deleted by retention is marked, across restarts, and only then. */
class RetentionGuardTest {
    @TempDir
    Path stateDir;

    private final Map<Integer, Long> logStart = Map.of(0, 0L, 1, 500L, 2, 3L);
    private final AtomicInteger checks = new AtomicInteger();

    private RetentionGuard guard(SimpleMeterRegistry registry) {
        return new RetentionGuard(p -> {
            checks.incrementAndGet();
            return logStart.get(p);
        }, stateDir, registry, "eu-west", () -> { });
    }

    @Test
    void shouldMarkARegionWhoseGapReachesPastTheLogStartAndRememberItAfterARestart() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RetentionGuard guard = guard(registry)) {
            guard.onGap(1, 99, 500);  // applied up to 99, the log now starts at 500: 100..499 are gone

            await().atMost(Duration.ofSeconds(10)).until(guard::needsReseed);
            assertEquals(Set.of(1), guard.lostPartitions());
            assertEquals(1.0, registry.get("meridian.region.needs.reseed").gauge().value());
        }
        assertTrue(Files.exists(stateDir.resolve(RetentionGuard.MARKER_FILE)));
        try (RetentionGuard restarted = guard(new SimpleMeterRegistry())) {
            assertTrue(restarted.needsReseed(), "the mark survives a restart");
        }
    }

    @Test
    void shouldNotMarkAGapOfMarkersOrAbortedRecords() throws Exception {
        try (RetentionGuard guard = guard(new SimpleMeterRegistry())) {
            guard.onGap(2, 2, 7);   // 3..6 were markers: the log starts at 3, nothing deleted was skipped
            guard.onGap(0, -1, 4);  // a fresh region starting where the log starts

            await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() == 2);
            assertFalse(guard.needsReseed());
        }
    }
}
