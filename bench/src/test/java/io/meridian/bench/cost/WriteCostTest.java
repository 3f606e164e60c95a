package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WriteCostTest {
    private static final WatchedProcess EAST = new WatchedProcess(WatchedProcess.Role.NODE, "us-east", 1, null);
    private static final WatchedProcess WEST = new WatchedProcess(WatchedProcess.Role.NODE, "eu-west", 2, null);
    private static final WatchedProcess BROKER = new WatchedProcess(WatchedProcess.Role.BROKER, "broker-0", 3, null);

    private static WriteCost cost(List<WriteCost.ProcessCpu> cpu) {
        return new WriteCost("closed 64 writers", "router", 4_000, 20.0,
                List.of(new TopicTraffic("meridian.wal", 4_000, 0, 1_200_000),
                        new TopicTraffic("changelog", 36_000, 2_000, 3_600_000)),
                cpu, List.of(), 1.5, 2.5, List.of());
    }

    @Test
    void shouldSumCpuPerRoleAndDivideByWrites() {
        WriteCost cost = cost(List.of(new WriteCost.ProcessCpu(EAST, 8_000), new WriteCost.ProcessCpu(WEST, 4_000),
                new WriteCost.ProcessCpu(BROKER, 6_000)));
        assertEquals(12_000, cost.cpuMillis(WatchedProcess.Role.NODE));
        assertEquals(3.0, cost.perWrite(cost.cpuMillis(WatchedProcess.Role.NODE)));
        assertEquals(1.5, cost.perWrite(cost.cpuMillis(WatchedProcess.Role.BROKER)));
        assertTrue(Double.isNaN(cost.cpuMillis(WatchedProcess.Role.LAUNCHER)), "none watched");
    }

    @Test
    void shouldBeNaNForARoleWithAnUnreadableProcess() {
        WriteCost cost = cost(List.of(new WriteCost.ProcessCpu(EAST, 8_000),
                new WriteCost.ProcessCpu(WEST, Double.NaN)));
        assertTrue(Double.isNaN(cost.cpuMillis(WatchedProcess.Role.NODE)));
    }

    @Test
    void shouldTotalTheTopics() {
        WriteCost cost = cost(List.of());
        assertEquals(new TopicTraffic(TopicTraffic.TOTAL, 40_000, 2_000, 4_800_000), cost.totalTraffic());
        assertEquals(10.0, cost.perWrite(cost.totalTraffic().records()));
        assertEquals(0.5, cost.perWrite(cost.totalTraffic().markers()));
    }
}
