package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSnapshotTest {
    private static final WatchedProcess EAST = new WatchedProcess(WatchedProcess.Role.NODE, "us-east", 1, null);
    private static final WatchedProcess WEST = new WatchedProcess(WatchedProcess.Role.NODE, "eu-west", 2, null);
    private static final WatchedProcess BROKER = new WatchedProcess(WatchedProcess.Role.BROKER, "broker-0", 3, null);

    @Test
    void shouldGiveTheCpuTimeUsedBetweenTwoSnapshots() {
        CpuSnapshot before = CpuSnapshot.of(Map.of(EAST, 10_000L, WEST, 5_000L, BROKER, 700L));
        CpuSnapshot after = CpuSnapshot.of(Map.of(EAST, 12_500L, WEST, 5_000L, BROKER, 900L));
        Map<WatchedProcess, Double> used = after.since(before, List.of(EAST, WEST, BROKER));
        assertEquals(2_500.0, used.get(EAST));
        assertEquals(0.0, used.get(WEST));
        assertEquals(200.0, used.get(BROKER));
    }

    @Test
    void shouldBeNaNForAProcessThatWentAwayOrStartedAgain() {
        CpuSnapshot before = CpuSnapshot.of(Map.of(EAST, 10_000L, WEST, 5_000L));
        CpuSnapshot after = CpuSnapshot.of(Map.of(EAST, 300L, BROKER, 900L));
        Map<WatchedProcess, Double> used = after.since(before, List.of(EAST, WEST, BROKER));
        assertTrue(used.values().stream().allMatch(v -> v.isNaN()), used.toString());
    }
}
