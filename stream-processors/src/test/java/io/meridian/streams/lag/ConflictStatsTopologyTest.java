package io.meridian.streams.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.model.ConflictStats;
import io.meridian.infra.model.ConflictStrategy;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conflict statistics: distinct conflicts per strategy per one-minute window of WAL time, however many regions report
 * each, on {@code meridian.conflict-stats}, and the newest window per strategy in the global view.
 */
class ConflictStatsTopologyTest {
    /** A minute boundary. */
    private static final long W = LagMonitorDriver.WALL_START.toEpochMilli() - 120_000;
    private static final long MINUTE = 60_000;

    @TempDir
    Path stateDir;

    private LagMonitorDriver monitor;

    @BeforeEach
    void start() {
        monitor = new LagMonitorDriver(stateDir);
    }

    @AfterEach
    void stop() {
        monitor.close();
    }

    /** "strategy@windowStart" → the largest count published for it. */
    private Map<String, Long> finalCounts() {
        Map<String, Long> counts = new TreeMap<>();
        monitor.conflictStatsRecords().forEach(kv -> {
            assertEquals(kv.key, kv.value.strategy().wireName(), "keyed by strategy");
            assertEquals(MINUTE, kv.value.windowEndMillis() - kv.value.windowStartMillis());
            counts.merge(kv.key + "@" + (kv.value.windowStartMillis() - W), kv.value.count(), Math::max);
        });
        return counts;
    }

    @Test
    void shouldCountTheSameConflictReportedByThreeRegionsOnce() {
        for (String region : new String[] {"us-east", "eu-west", "ap-south"}) {
            monitor.conflict("acme", "0:5", ConflictStrategy.REJECT, region, W + 1_000);
        }

        assertEquals(Map.of("reject@0", 1L), finalCounts());
    }

    @Test
    void shouldCountPerStrategyPerMinute() {
        for (String region : new String[] {"us-east", "eu-west", "ap-south"}) {
            monitor.conflict("acme", "0:5", ConflictStrategy.REJECT, region, W + 1_000);
            monitor.conflict("acme", "0:9", ConflictStrategy.REJECT, region, W + 2_000);
            monitor.conflict("globex", "3:1", ConflictStrategy.LWW, region, W + 3_000);
        }
        monitor.conflict("globex", "3:2", ConflictStrategy.MERGE, "us-east", W + 59_999);
        monitor.conflict("acme", "0:70", ConflictStrategy.REJECT, "us-east", W + MINUTE);
        monitor.conflict("acme", "0:70", ConflictStrategy.REJECT, "eu-west", W + MINUTE);

        assertEquals(Map.of("reject@0", 2L, "lww@0", 1L, "merge@0", 1L, "reject@" + MINUTE, 1L), finalCounts());
    }

    @Test
    void shouldCountTheSamePositionAgainInAnotherWindow() {
        // A position is unique in the WAL, so this only happens if a report is re-stamped; each window counts alone.
        monitor.conflict("acme", "0:5", ConflictStrategy.LWW, "us-east", W + 1_000);
        monitor.conflict("acme", "0:5", ConflictStrategy.LWW, "us-east", W + MINUTE + 1_000);

        assertEquals(Map.of("lww@0", 1L, "lww@" + MINUTE, 1L), finalCounts());
    }

    @Test
    void shouldKeepTheNewestWindowInTheViewWhenAnOlderWindowIsUpdatedLate() {
        monitor.conflict("acme", "0:5", ConflictStrategy.REJECT, "us-east", W + 1_000);
        monitor.conflict("acme", "0:70", ConflictStrategy.REJECT, "us-east", W + MINUTE + 1_000);
        // A lagging region reports an older conflict first seen now: the older window grows, within the grace.
        monitor.conflict("acme", "0:6", ConflictStrategy.REJECT, "ap-south", W + 2_000);

        assertEquals(Map.of("reject@0", 2L, "reject@" + MINUTE, 1L), finalCounts());
        assertEquals(new ConflictStats(ConflictStrategy.REJECT, W + MINUTE, W + 2 * MINUTE, 1),
                monitor.conflictStatsView().get("reject"));
    }

    @Test
    void shouldSkipUnreadableConflictRecords() {
        monitor.rawConflict("acme", "{\"tenant\":\"acme\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        monitor.conflict("acme", "0:5", ConflictStrategy.MERGE, "us-east", W + 1_000);

        assertEquals(Map.of("merge@0", 1L), finalCounts());
    }
}
