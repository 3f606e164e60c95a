package io.meridian.streams.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.ReplicationLag.PartitionLag;
import io.meridian.infra.model.WalStats;
import io.meridian.streams.LagMonitorTopology;
import io.meridian.streams.internal.LagCalculator;
import io.meridian.streams.internal.MonitorEvent.HeadUpdate;
import io.meridian.streams.internal.MonitorEvent.Sample;
import io.meridian.streams.internal.WalHead;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lag computation on its own: several partitions, several nodes, the time index and its bounds. */
class LagCalculatorTest {
    private static final long NOW = 1_700_000_000_000L;

    private final LagCalculator calculator = new LagCalculator(LagMonitorTopology.MAX_SAMPLES_PER_PARTITION,
            LagCalculator.Changes.NONE);

    private static Heartbeat heartbeat(String node, String region, Map<Integer, Long> applied) {
        return new Heartbeat(node, region, "http://" + node, applied, Set.of(), NOW, 0);
    }

    /** Head {@code headOffset} at {@code headTimestamp}, with the given samples (offset, timestamp pairs). */
    private void head(int partition, long firstOffset, long headOffset, long headTimestamp, long... samples) {
        List<Sample> list = new ArrayList<>();
        for (int i = 0; i < samples.length; i += 2) {
            list.add(new Sample(samples[i], samples[i + 1]));
        }
        calculator.onHeadUpdate(new HeadUpdate(new WalHead(partition, firstOffset, headOffset, headTimestamp,
                headOffset - firstOffset + 1, 100 * (headOffset - firstOffset + 1)), list));
    }

    private ReplicationLag lag(String region) {
        return calculator.lagOf(region, NOW).orElseThrow();
    }

    @Test
    void shouldTakeTheTimeOfTheSampleAtOrBeforeTheFirstRecordNotApplied() {
        head(0, 0, 300, 3_000, 0, 0, 100, 1_000, 200, 2_000);
        calculator.onHeartbeat(heartbeat("n1", "eu-west", Map.of(0, 149L)));

        // Offset 150 lies between the samples at 100 (1 s) and 200 (2 s): the earlier one bounds its time from below.
        assertEquals(List.of(new PartitionLag(0, 300, 149, 151, 2.0)), lag("eu-west").partitions());
    }

    @Test
    void shouldSumEntriesAndTakeTheLargestSecondsOverPartitions() {
        head(0, 0, 9, 9_000, 0, 0, 5, 5_000);
        head(1, 0, 19, 19_000, 0, 0, 10, 10_000);
        head(2, 100, 100, 50_000, 100, 50_000);
        calculator.onHeartbeat(heartbeat("eu-west-a", "eu-west", Map.of(0, 4L, 1, 3L)));
        calculator.onHeartbeat(heartbeat("eu-west-b", "eu-west", Map.of(1, 12L, 2, 100L)));
        calculator.onHeartbeat(heartbeat("us-east-a", "us-east", Map.of(0, 9L, 1, 19L, 2, 100L)));

        ReplicationLag euWest = lag("eu-west");
        assertEquals(List.of(
                new PartitionLag(0, 9, 4, 5, 4.0),      // first not applied: 5, sampled at 5 s
                new PartitionLag(1, 19, 12, 7, 9.0),    // node b's 12 beats node a's 3; 13 falls back to sample 10
                new PartitionLag(2, 100, 100, 0, 0.0)), euWest.partitions());
        assertEquals(12, euWest.totalLagEntries());
        assertEquals(9.0, euWest.maxLagSeconds());
        assertEquals(0, lag("us-east").totalLagEntries());
        assertEquals(Set.of("eu-west", "us-east"), new HashSet<>(calculator.regions()));
        assertEquals(new WalStats(10 + 20 + 1, 100 * 31, 50_000), calculator.walStats());
    }

    @Test
    void shouldCountFromTheFirstOffsetReadWhenARegionAppliedNothing() {
        head(0, 1_000, 1_009, 9_000, 1_000, 0);  // the log started at 1000 when the monitor first read it

        calculator.onHeartbeat(heartbeat("n1", "ap-south", Map.of()));

        assertEquals(List.of(new PartitionLag(0, 1_009, -1, 10, 9.0)), lag("ap-south").partitions());
    }

    @Test
    void shouldKnowNoLagForARegionThatNeverHeartbeated() {
        head(0, 0, 9, 9_000, 0, 0);

        assertTrue(calculator.lagOf("eu-west", NOW).isEmpty());
    }

    @Test
    void shouldIgnoreAnOlderHeadReplayedAfterARestart() {
        head(0, 0, 20, 20_000, 0, 0);
        head(0, 0, 10, 10_000);
        calculator.onHeartbeat(heartbeat("n1", "eu-west", Map.of(0, 20L)));

        assertEquals(20, calculator.head(0).orElseThrow().headOffset());
        assertEquals(0, lag("eu-west").totalLagEntries());
    }

    @Test
    void shouldKeepTheTimeIndexBoundedAndLagSecondsWithinAFewPercentOverAnHour() {
        // One hour of WAL, a record every 10 ms and a sample every 100 ms (every 10th record), in 500 ms updates.
        long hourMs = 3_600_000;
        for (long t = 0; t < hourMs; t += 500) {
            List<Sample> samples = new ArrayList<>();
            for (long s = t; s < t + 500; s += 100) {
                samples.add(new Sample(s / 10, s));
            }
            long headOffset = (t + 499) / 10;
            calculator.onHeadUpdate(new HeadUpdate(new WalHead(0, 0, headOffset, headOffset * 10, headOffset + 1,
                    headOffset + 1), samples));
        }
        long headTime = (hourMs - 1) / 10 * 10;

        assertTrue(calculator.sampleCount(0) <= LagMonitorTopology.MAX_SAMPLES_PER_PARTITION,
                "samples kept: " + calculator.sampleCount(0));
        for (long behindMs : new long[] {300, 5_000, 60_000, 600_000, 1_800_000, 3_000_000}) {
            long firstNotApplied = (headTime - behindMs) / 10;
            calculator.onHeartbeat(heartbeat("n1", "eu-west", Map.of(0, firstNotApplied - 1)));
            double seconds = lag("eu-west").maxLagSeconds();
            double exact = behindMs / 1000.0;
            // Never under-estimated; over by at most one sample interval plus a few percent of the lag.
            assertTrue(seconds >= exact && seconds <= exact * 1.05 + 0.1,
                    "behind " + exact + " s, estimated " + seconds + " s");
        }
    }
}
