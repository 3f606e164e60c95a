package io.meridian.migration;

import static io.meridian.migration.FailbackFixtures.health;
import static io.meridian.migration.FailbackFixtures.settings;
import static io.meridian.migration.FailbackFixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The failback policy on a hand-moved clock: hysteresis, inhibit windows, one at a time per region, catching up. */
class FailbackPolicyTest {
    private static final Duration AFTER = Duration.ofMinutes(10);
    private static final Duration INHIBIT = Duration.ofMinutes(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final long failedOverAt = clock.millis();
    private final FailbackPolicy policy = new FailbackPolicy(settings(AFTER, INHIBIT, 1));
    private final InhibitWindows noInhibit = InhibitWindows.empty(INHIBIT);

    private FailbackPolicy.Candidate candidate(String tenant, String to) {
        return new FailbackPolicy.Candidate(tenant, "eu-west", to, 5, failedOverAt, 0, false);
    }

    private HealthSnapshot usEastHealthySince(long since) {
        return health(clock.millis(), status("us-east", RegionHealth.HEALTHY, since),
                status("eu-west", RegionHealth.HEALTHY, 0), status("ap-south", RegionHealth.HEALTHY, 0));
    }

    private List<FailbackPolicy.Decision> decide(List<FailbackPolicy.Candidate> candidates, HealthSnapshot health,
                                                 InhibitWindows inhibit, Map<String, Integer> running, long lag) {
        return policy.decide(candidates, health, inhibit, running, clock.millis(), c -> lag);
    }

    @Test
    void shouldNotFailBackBeforeThePreferredRegionWasHealthyForFailbackAfterMs() {
        clock.advance(Duration.ofMinutes(2));
        long healthySince = clock.millis();  // us-east came back two minutes after the failover
        clock.advance(AFTER.minusMillis(1));

        FailbackPolicy.Decision early = decide(List.of(candidate("acme", "us-east")), usEastHealthySince(healthySince),
                noInhibit, Map.of(), 0).get(0);
        assertFalse(early.start(), early.reason());
        assertEquals(healthySince + AFTER.toMillis(), early.eligibleAt());
        assertTrue(early.reason().contains("failback.after.ms=600000"), early.reason());

        clock.advance(Duration.ofMillis(1));
        FailbackPolicy.Decision onTime = decide(List.of(candidate("acme", "us-east")), usEastHealthySince(healthySince),
                noInhibit, Map.of(), 0).get(0);
        assertTrue(onTime.start(), onTime.reason());
    }

    @Test
    void shouldCountTheHysteresisFromTheFailoverWhenTheRegionLooksHealthySinceBefore() {
        clock.advance(AFTER.minusSeconds(1));
        FailbackPolicy.Decision d = decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0), noInhibit,
                Map.of(), 0).get(0);
        assertFalse(d.start(), d.reason());
        assertEquals(failedOverAt + AFTER.toMillis(), d.eligibleAt());
    }

    @Test
    void shouldNotFailBackWhileTheRegionIsNotHealthy() {
        clock.advance(Duration.ofHours(1));
        for (RegionHealth state : List.of(RegionHealth.SUSPECT, RegionHealth.UNHEALTHY)) {
            HealthSnapshot health = health(clock.millis(), status("us-east", state, 0),
                    status("eu-west", RegionHealth.HEALTHY, 0));
            FailbackPolicy.Decision d = decide(List.of(candidate("acme", "us-east")), health, noInhibit, Map.of(), 0)
                    .get(0);
            assertFalse(d.start(), d.reason());
            assertEquals(-1, d.eligibleAt());
        }
    }

    @Test
    void shouldNotFailBackWhileAFailoverOfThePreferredRegionIsInhibited() {
        FailbackPolicy inhibiting = new FailbackPolicy(settings(AFTER, Duration.ofMinutes(30), 1));
        InhibitWindows inhibit = InhibitWindows.empty(Duration.ofMinutes(30)).withFailover("us-east", failedOverAt);
        clock.advance(Duration.ofMinutes(20));  // healthy long enough, but inside the window

        FailbackPolicy.Decision d = inhibiting.decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0),
                inhibit, Map.of(), clock.millis(), c -> 0).get(0);
        assertFalse(d.start(), d.reason());
        assertEquals(failedOverAt + Duration.ofMinutes(30).toMillis(), d.eligibleAt());
        assertTrue(d.reason().contains("inhibited"), d.reason());

        clock.advance(Duration.ofMinutes(10));
        assertTrue(inhibiting.decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0), inhibit, Map.of(),
                clock.millis(), c -> 0).get(0).start());
    }

    @Test
    void shouldStartOneFailbackAtATimePerRegion() {
        clock.advance(Duration.ofHours(1));
        List<FailbackPolicy.Candidate> three = List.of(candidate("b-tenant", "us-east"),
                candidate("a-tenant", "us-east"), candidate("c-tenant", "ap-south"));

        List<FailbackPolicy.Decision> decisions = decide(three, usEastHealthySince(0), noInhibit, Map.of(), 0);
        assertEquals(List.of("a-tenant", "b-tenant", "c-tenant"), decisions.stream()
                .map(FailbackPolicy.Decision::tenant).toList());
        assertEquals(List.of(true, false, true), decisions.stream().map(FailbackPolicy.Decision::start).toList());
        assertTrue(decisions.get(1).reason().contains("failback.max.per.region=1"), decisions.get(1).reason());

        // One already runs into us-east: none more there.
        List<FailbackPolicy.Decision> whileRunning = decide(three, usEastHealthySince(0), noInhibit,
                Map.of("us-east", 1), 0);
        assertEquals(List.of(false, false, true), whileRunning.stream().map(FailbackPolicy.Decision::start).toList());

        // A higher limit lets two run.
        FailbackPolicy two = new FailbackPolicy(settings(AFTER, INHIBIT, 2));
        assertEquals(List.of(true, true, true), two.decide(three, usEastHealthySince(0), noInhibit, Map.of(),
                clock.millis(), c -> 0).stream().map(FailbackPolicy.Decision::start).toList());
    }

    @Test
    void shouldWaitUntilThePreferredRegionCaughtUp() {
        clock.advance(Duration.ofHours(1));
        FailbackPolicy.Decision lagging = decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0),
                noInhibit, Map.of(), 1_001).get(0);
        assertFalse(lagging.start(), lagging.reason());
        assertTrue(lagging.reason().contains("lags 1001 entries"), lagging.reason());
        assertFalse(decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0), noInhibit, Map.of(), -1)
                .get(0).start());
        assertTrue(decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0), noInhibit, Map.of(), 1_000)
                .get(0).start());
    }

    @Test
    void shouldWaitAgainAfterARolledBackFailback() {
        clock.advance(Duration.ofHours(1));
        long retryAfter = clock.millis() + AFTER.toMillis();
        FailbackPolicy.Candidate rolledBack = new FailbackPolicy.Candidate("acme", "eu-west", "us-east", 5,
                failedOverAt, retryAfter, false);
        FailbackPolicy.Decision d = decide(List.of(rolledBack), usEastHealthySince(0), noInhibit, Map.of(), 0).get(0);
        assertFalse(d.start(), d.reason());
        assertEquals(retryAfter, d.eligibleAt());
    }

    @Test
    void shouldNeverStartOnItsOwnWhenAutomaticFailbackIsOff() {
        clock.advance(Duration.ofHours(1));
        FailbackPolicy off = new FailbackPolicy(new FailbackSettings(false, AFTER, 1, 1_000, INHIBIT,
                Duration.ofSeconds(1)));
        assertFalse(off.decide(List.of(candidate("acme", "us-east")), usEastHealthySince(0), noInhibit, Map.of(),
                clock.millis(), c -> 0).get(0).start());
    }
}
