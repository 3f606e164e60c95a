package io.meridian.election.health;

import io.meridian.infra.model.Heartbeat;
import static io.meridian.election.health.RegionHealth.HEALTHY;
import static io.meridian.election.health.RegionHealth.SUSPECT;
import static io.meridian.election.health.RegionHealth.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Time is injected: every test runs in simulated milliseconds and never sleeps. */
class RegionHealthMonitorTest {
    private static final long T0 = 1_000_000L;
    private static final long I = 1_000L;
    private static final Duration GRACE = Duration.ofSeconds(30);
    /** interval 1 s, suspect after 2 misses, unhealthy after 5, healthy after 2 successes, backoff x2 up to 8 s. */
    private static final HealthPolicy POLICY = HealthPolicy.defaults(Duration.ofMillis(I), GRACE);
    private static final List<String> REGIONS = List.of("ap-south", "eu-west", "us-east");

    private static Heartbeat beat(String node, String region) {
        return beat(node, region, Map.of(), Set.of());
    }

    private static Heartbeat beat(String node, String region, Map<Integer, Long> offsets, Set<String> suspected) {
        return new Heartbeat(node, region, "http://" + node + ":8080", offsets, suspected, 0, 1);
    }

    /** A monitor on which every region sent a heartbeat in windows 0 and 1: all HEALTHY at T0 + 2 s. */
    private static RegionHealthMonitor allHealthy() {
        var monitor = new RegionHealthMonitor(REGIONS, POLICY, T0);
        for (int window = 0; window < 2; window++) {
            for (String region : REGIONS) {
                monitor.record(beat(region + "-1", region), T0 + window * I + 500);
            }
        }
        List<RegionHealthChange> changes = monitor.tick(T0 + 2 * I);
        assertEquals(3, changes.size(), changes.toString());
        changes.forEach(c -> assertEquals(new RegionHealthChange(c.region(), SUSPECT, HEALTHY, T0 + 2 * I,
                c.reason(), 0), c));
        return monitor;
    }

    /** Windows {@code from..to-1}: the given regions beat mid-window, then a tick at each window's end. */
    private static List<RegionHealthChange> run(RegionHealthMonitor monitor, int fromWindow, int toWindow,
                                                Set<String> beating) {
        List<RegionHealthChange> all = new ArrayList<>();
        for (int window = fromWindow; window < toWindow; window++) {
            for (String region : beating) {
                monitor.record(beat(region + "-1", region), T0 + window * I + 500);
            }
            all.addAll(monitor.tick(T0 + (window + 1) * I));
        }
        return all;
    }

    private static List<RegionHealthChange> usEast(List<RegionHealthChange> changes) {
        return changes.stream().filter(c -> c.region().equals("us-east")).toList();
    }

    @Test
    void shouldKeepARegionHealthyWhileOneOfItsNodesStillBeats() {
        var monitor = allHealthy();  // us-east-1 beat in windows 0 and 1
        List<RegionHealthChange> changes = new ArrayList<>();
        for (int window = 2; window < 12; window++) {
            // us-east-1 is gone (killed, or left the region); us-east-2 keeps beating; the others beat as usual.
            monitor.record(beat("us-east-2", "us-east"), T0 + window * I + 500);
            monitor.record(beat("eu-west-1", "eu-west"), T0 + window * I + 500);
            monitor.record(beat("ap-south-1", "ap-south"), T0 + window * I + 500);
            changes.addAll(monitor.tick(T0 + (window + 1) * I));
        }
        assertEquals(List.of(), changes);
        assertEquals(HEALTHY, monitor.state("us-east"));
        assertFalse(monitor.suspectedRegions().contains("us-east"));
        assertEquals(Set.of("us-east-1", "us-east-2"), monitor.snapshot().regions().get("us-east").nodes());
    }

    @Test
    void shouldGoFromHealthyToSuspectToUnhealthyAtTheRightTickCounts() {
        var monitor = allHealthy();
        Set<String> others = Set.of("ap-south", "eu-west");
        List<RegionHealthChange> changes = new ArrayList<>();
        List<Integer> atMiss = new ArrayList<>();
        for (int missed = 1; missed <= 8; missed++) {
            int window = 1 + missed;
            List<RegionHealthChange> tick = run(monitor, window, window + 1, others);
            tick.forEach(c -> atMiss.add(c.consecutiveMisses()));
            changes.addAll(tick);
        }
        assertEquals(List.of(
                new RegionHealthChange("us-east", HEALTHY, SUSPECT, T0 + 4 * I, changes.get(0).reason(), 2),
                new RegionHealthChange("us-east", SUSPECT, UNHEALTHY, T0 + 7 * I, changes.get(1).reason(), 5)),
                changes);
        assertEquals(List.of(2, 5), atMiss);
        assertTrue(changes.get(0).reason().contains("2 consecutive"), changes.get(0).reason());
        assertTrue(changes.get(1).reason().contains(HealthPolicy.MISSES_TO_UNHEALTHY_CONFIG), changes.get(1).reason());
        assertEquals(UNHEALTHY, monitor.state("us-east"));
        assertEquals(HEALTHY, monitor.state("eu-west"));
        assertEquals(T0 + 7 * I, monitor.snapshot().region("us-east").orElseThrow().sinceMillis());
    }

    @Test
    void shouldNotChangeStateOneMillisecondBeforeTheWindowCloses() {
        var monitor = allHealthy();
        assertEquals(List.of(), monitor.tick(T0 + 4 * I - 1));
        assertEquals(HEALTHY, monitor.state("us-east"));
        assertEquals(3, monitor.tick(T0 + 4 * I).size(), "all three regions missed two windows");
    }

    @Test
    void shouldRecoverFromSuspectAfterTheConfiguredSuccesses() {
        var monitor = allHealthy();
        Set<String> others = Set.of("ap-south", "eu-west");
        run(monitor, 2, 4, others);
        assertEquals(SUSPECT, monitor.state("us-east"));
        assertEquals(List.of(), run(monitor, 4, 5, Set.copyOf(REGIONS)), "one success is not enough");
        List<RegionHealthChange> changes = run(monitor, 5, 6, Set.copyOf(REGIONS));
        assertEquals(1, changes.size());
        assertEquals(new RegionHealthChange("us-east", SUSPECT, HEALTHY, T0 + 6 * I, changes.get(0).reason(), 0),
                changes.get(0));
    }

    @Test
    void shouldRecoverFromUnhealthyDirectlyAfterTheConfiguredSuccessesAndIgnoreAnIsolatedHeartbeat() {
        var monitor = allHealthy();
        run(monitor, 2, 7, Set.of("ap-south", "eu-west"));
        assertEquals(UNHEALTHY, monitor.state("us-east"));
        long unhealthySince = T0 + 7 * I;
        // windows now back off: [7 s, 9 s) then [9 s, 13 s). A heartbeat in the first ends it with the interval it
        // arrived in, [7 s, 8 s): a success when that closes...
        monitor.record(beat("us-east-1", "us-east"), T0 + 7_500);
        assertEquals(T0 + 8 * I, monitor.snapshot().region("us-east").orElseThrow().nextEvaluationAtMillis());
        assertEquals(List.of(), usEast(monitor.tick(T0 + 8 * I)));
        RegionStatus status = monitor.snapshot().region("us-east").orElseThrow();
        assertEquals(1, status.consecutiveSuccesses());
        assertEquals(I, status.evaluationWindowMillis(), "a success resets the window to the interval");
        // ...then silence: the count restarts, the region stays unhealthy since the same time.
        assertEquals(List.of(), usEast(monitor.tick(T0 + 9 * I)));
        status = monitor.snapshot().region("us-east").orElseThrow();
        assertEquals(UNHEALTHY, status.state());
        assertEquals(unhealthySince, status.sinceMillis());
        assertEquals(0, status.consecutiveSuccesses());
        assertEquals(2 * I, status.evaluationWindowMillis(), "backing off again");
        // Heartbeats in two intervals in a row: healthy, without passing through suspect.
        long backedOffStart = status.nextEvaluationAtMillis() - status.evaluationWindowMillis();
        monitor.record(beat("us-east-1", "us-east"), backedOffStart + 100);
        monitor.record(beat("us-east-2", "us-east"), backedOffStart + I + 100);
        List<RegionHealthChange> changes = usEast(monitor.tick(backedOffStart + 2 * I));
        assertEquals(List.of(new RegionHealthChange("us-east", UNHEALTHY, HEALTHY, backedOffStart + 2 * I,
                changes.get(0).reason(), 0)), changes);
    }

    @Test
    void shouldGrowTheEvaluationWindowWhileARegionStaysDownUpToTheMaximum() {
        var monitor = allHealthy();
        run(monitor, 2, 7, Set.of("ap-south", "eu-west"));
        List<Long> windows = new ArrayList<>();
        List<Long> closes = new ArrayList<>();
        long now = T0 + 7 * I;
        for (int i = 0; i < 6; i++) {
            RegionStatus status = monitor.snapshot().region("us-east").orElseThrow();
            windows.add(status.evaluationWindowMillis());
            closes.add(status.nextEvaluationAtMillis());
            now = status.nextEvaluationAtMillis();
            assertEquals(List.of(), monitor.tick(now - 1).stream().filter(c -> c.region().equals("us-east")).toList());
            monitor.tick(now);
        }
        assertEquals(List.of(2 * I, 4 * I, 8 * I, 8 * I, 8 * I, 8 * I), windows);
        assertEquals(List.of(T0 + 9 * I, T0 + 13 * I, T0 + 21 * I, T0 + 29 * I, T0 + 37 * I, T0 + 45 * I), closes);
        // A heartbeat in a backed-off window ends it with the interval it arrived in: recovery is not judged 8 s late.
        monitor.record(beat("us-east-1", "us-east"), now + 1);
        assertEquals(now + I, monitor.snapshot().region("us-east").orElseThrow().nextEvaluationAtMillis());
        monitor.tick(now + I);
        RegionStatus status = monitor.snapshot().region("us-east").orElseThrow();
        assertEquals(1, status.consecutiveSuccesses());
        assertEquals(I, status.evaluationWindowMillis());
    }

    @Test
    void shouldKeepHealthyRegionsOnTheBaseInterval() {
        var monitor = allHealthy();
        run(monitor, 2, 20, Set.of("ap-south", "eu-west"));
        assertEquals(I, monitor.snapshot().region("eu-west").orElseThrow().evaluationWindowMillis());
    }

    @Test
    void shouldEmitChangesOnlyOnRealChange() {
        var monitor = allHealthy();
        // Healthy and beating: nothing, however often it is ticked.
        for (long t = T0 + 2 * I; t < T0 + 3 * I; t += 100) {
            monitor.record(beat("us-east-1", "us-east"), t);
            assertEquals(List.of(), monitor.tick(t));
        }
        List<RegionHealthChange> all = run(monitor, 3, 40, Set.of("ap-south", "eu-west"));
        assertEquals(List.of(SUSPECT, UNHEALTHY), all.stream().map(RegionHealthChange::to).toList(),
                "suspect and unhealthy once each, nothing while it stays down");
        all.forEach(c -> c.from().transitionTo(c.to()));
    }

    @Test
    void shouldDecideTheSameWhetherTickedOftenOrRarely() {
        var often = new RegionHealthMonitor(REGIONS, POLICY, T0);
        var rarely = new RegionHealthMonitor(REGIONS, POLICY, T0);
        List<RegionHealthChange> fromOften = new ArrayList<>();
        for (long t = T0; t <= T0 + 60 * I; t += 100) {
            // us-east beats for 10 s, goes away for 30 s, comes back; eu-west always; ap-south never.
            boolean usEastUp = t < T0 + 10 * I || t >= T0 + 40 * I;
            if (t % 1_000 == 300) {
                if (usEastUp) {
                    often.record(beat("us-east-1", "us-east"), t);
                    rarely.record(beat("us-east-1", "us-east"), t);
                }
                often.record(beat("eu-west-1", "eu-west"), t);
                rarely.record(beat("eu-west-1", "eu-west"), t);
            }
            fromOften.addAll(often.tick(t));
        }
        List<RegionHealthChange> fromRarely = rarely.tick(T0 + 60 * I);
        assertEquals(fromOften, fromRarely);
        assertEquals(often.snapshot(), rarely.snapshot());
        assertTrue(fromOften.stream().anyMatch(c -> c.region().equals("us-east") && c.to() == UNHEALTHY));
        assertTrue(fromOften.stream().anyMatch(c -> c.region().equals("us-east") && c.from() == UNHEALTHY));
    }

    @Test
    void shouldNotDeclareANeverSeenRegionUnhealthyBeforeTheStartupGrace() {
        var monitor = new RegionHealthMonitor(REGIONS, POLICY, T0);
        Set<String> others = Set.of("ap-south", "eu-west");
        assertEquals(SUSPECT, monitor.state("us-east"), "never seen: suspect, neither healthy nor unhealthy");
        assertEquals(Set.of(), monitor.suspectedRegions(), "no evidence against anyone yet");
        int graceWindows = (int) (GRACE.toMillis() / I);
        List<RegionHealthChange> beforeGrace = run(monitor, 0, graceWindows - 1, others);
        assertTrue(beforeGrace.stream().noneMatch(c -> c.region().equals("us-east")), beforeGrace.toString());
        assertEquals(List.of(), monitor.tick(T0 + GRACE.toMillis() - 1));
        RegionStatus status = monitor.snapshot().region("us-east").orElseThrow();
        assertEquals(SUSPECT, status.state());
        assertTrue(status.neverSeen());
        assertEquals(OptionalLong.empty(), status.lastHeartbeatAgeMillis());
        assertTrue(status.consecutiveMisses() >= POLICY.missesToUnhealthy(), "the misses alone would have sufficed");
        assertFalse(monitor.suspectedRegions().contains("us-east"));

        List<RegionHealthChange> atGrace = run(monitor, graceWindows - 1, graceWindows, others);
        assertEquals(1, atGrace.size());
        RegionHealthChange change = atGrace.get(0);
        assertEquals(new RegionHealthChange("us-east", SUSPECT, UNHEALTHY, T0 + GRACE.toMillis(), change.reason(),
                graceWindows), change);
        assertTrue(change.reason().contains("never heard from"), change.reason());
        assertEquals(Set.of("us-east"), monitor.suspectedRegions());
    }

    @Test
    void shouldMakeANeverSeenRegionHealthyOnceItBeats() {
        var monitor = new RegionHealthMonitor(REGIONS, POLICY, T0);
        List<RegionHealthChange> changes = run(monitor, 0, 2, Set.copyOf(REGIONS));
        assertEquals(3, changes.size());
        assertTrue(changes.stream().allMatch(c -> c.from() == SUSPECT && c.to() == HEALTHY));
    }

    @Test
    void shouldReportNodesMaxAppliedOffsetsAndRecentSuspicionsFromOtherRegions() {
        var monitor = new RegionHealthMonitor(REGIONS, POLICY, T0);
        monitor.record(beat("eu-west-1", "eu-west", Map.of(0, 10L, 1, 50L), Set.of()), T0 + 100);
        monitor.record(beat("eu-west-2", "eu-west", Map.of(0, 30L, 2, 5L), Set.of("eu-west")), T0 + 200);
        // ap-south-1 suspects us-east but its heartbeat becomes stale; ap-south-2 keeps suspecting.
        monitor.record(beat("ap-south-1", "ap-south", Map.of(), Set.of("us-east")), T0 + 300);
        monitor.record(beat("ap-south-2", "ap-south", Map.of(), Set.of("us-east", "eu-west")), T0 + 2_400);
        monitor.record(beat("us-east-1", "us-east", Map.of(), Set.of("us-east")), T0 + 2_500);
        monitor.tick(T0 + 2_500);

        HealthSnapshot snapshot = monitor.snapshot();
        assertEquals(T0 + 2_500, snapshot.atMillis());
        RegionStatus euWest = snapshot.region("eu-west").orElseThrow();
        assertEquals(Set.of("eu-west-1", "eu-west-2"), euWest.nodes());
        assertEquals(Map.of(0, 30L, 1, 50L, 2, 5L), euWest.appliedOffsets());
        assertEquals(OptionalLong.of(30L), euWest.appliedOffset(0));
        assertEquals(OptionalLong.empty(), euWest.appliedOffset(7));
        assertEquals(OptionalLong.of(2_300), euWest.lastHeartbeatAgeMillis());
        assertEquals(Map.of("ap-south", Set.of("ap-south-2")), euWest.suspectedBy(),
                "its own node's suspicion of its region does not count");

        RegionStatus usEast = snapshot.region("us-east").orElseThrow();
        assertEquals(Map.of("ap-south", Set.of("ap-south-2")), usEast.suspectedBy(),
                "ap-south-1's heartbeat is older than the suspicion TTL (2 s)");
        assertEquals(Set.of("ap-south"), usEast.suspectingRegions());
    }

    @Test
    void shouldIgnoreHeartbeatsFromUnconfiguredRegions() {
        var monitor = new RegionHealthMonitor(REGIONS, POLICY, T0);
        assertFalse(monitor.record(beat("sa-east-1", "sa-east"), T0 + 1));
        assertTrue(monitor.record(beat("us-east-1", "us-east"), T0 + 1));
        assertFalse(monitor.snapshot().knows("sa-east"));
        assertThrows(IllegalArgumentException.class, () -> monitor.state("sa-east"));
    }

    @Test
    void shouldTreatTimeGoingBackwardsAsStandingStill() {
        var monitor = allHealthy();
        monitor.tick(T0 + 5 * I);
        assertEquals(SUSPECT, monitor.state("us-east"));
        assertEquals(List.of(), monitor.tick(T0));
        monitor.record(beat("us-east-1", "us-east"), T0);
        assertEquals(T0 + 5 * I, monitor.snapshot().atMillis());
        assertEquals(OptionalLong.of(0), monitor.snapshot().region("us-east").orElseThrow().lastHeartbeatAgeMillis());
    }

    @Test
    @Timeout(5)
    void shouldCatchUpALongGapWithoutWalkingEveryWindow() {
        var monitor = allHealthy();
        long aYearLater = T0 + Duration.ofDays(365).toMillis();
        List<RegionHealthChange> changes = monitor.tick(aYearLater);
        assertEquals(6, changes.size(), "each region: suspect, then unhealthy");
        RegionStatus status = monitor.snapshot().region("us-east").orElseThrow();
        assertEquals(UNHEALTHY, status.state());
        assertTrue(status.nextEvaluationAtMillis() > aYearLater);
        assertTrue(status.consecutiveMisses() > 1_000_000);
    }

    @Test
    @Timeout(5)
    void shouldCatchUpALongGapWithoutBackoffToo() {
        var monitor = new RegionHealthMonitor(REGIONS, POLICY.withBackoff(1.0, Duration.ofSeconds(8)), T0);
        monitor.tick(T0 + Duration.ofDays(365).toMillis());
        RegionStatus status = monitor.snapshot().region("us-east").orElseThrow();
        assertEquals(UNHEALTHY, status.state());
        assertEquals(I, status.evaluationWindowMillis(), "multiplier 1.0: the window never grows");
    }

    @Test
    void shouldRejectInconsistentPolicies() {
        var e = assertThrows(IllegalArgumentException.class, () -> POLICY.withThresholds(5, 5, 2));
        assertTrue(e.getMessage().contains(HealthPolicy.MISSES_TO_UNHEALTHY_CONFIG)
                && e.getMessage().contains(HealthPolicy.MISSES_TO_SUSPECT_CONFIG), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> POLICY.withBackoff(0.5, Duration.ofSeconds(8)));
        assertThrows(IllegalArgumentException.class, () -> POLICY.withBackoff(2.0, Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> POLICY.withSuspicionTtl(Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> POLICY.withThresholds(2, 5, 0));
    }

    @Test
    void shouldRejectDuplicateOrInvalidRegions() {
        assertThrows(IllegalArgumentException.class,
                () -> new RegionHealthMonitor(List.of("us-east", "us-east"), POLICY, T0));
        assertThrows(IllegalArgumentException.class, () -> new RegionHealthMonitor(List.of("US"), POLICY, T0));
        assertThrows(IllegalArgumentException.class, () -> new RegionHealthMonitor(List.of(), POLICY, T0));
    }
}
