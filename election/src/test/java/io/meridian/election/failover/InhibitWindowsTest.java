package io.meridian.election.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class InhibitWindowsTest {
    private static final InhibitWindows EMPTY = InhibitWindows.empty(Duration.ofSeconds(60));

    @Test
    void shouldInhibitARegionForTheWindowAfterItsLastFailover() {
        InhibitWindows windows = EMPTY.withFailover("us-east", 1_000);
        assertEquals(OptionalLong.of(61_000), windows.until("us-east"));
        assertTrue(windows.isInhibited("us-east", 1_000));
        assertTrue(windows.isInhibited("us-east", 60_999));
        assertFalse(windows.isInhibited("us-east", 61_000), "the end is exclusive");
        assertFalse(windows.isInhibited("eu-west", 1_000));
        assertEquals(OptionalLong.empty(), windows.until("eu-west"));
    }

    @Test
    void shouldBeImmutableAndKeepTheLatestFailover() {
        InhibitWindows later = EMPTY.withFailover("us-east", 5_000);
        InhibitWindows stale = later.withFailover("us-east", 1_000);
        assertEquals(OptionalLong.empty(), EMPTY.lastFailover("us-east"));
        assertEquals(OptionalLong.of(5_000), stale.lastFailover("us-east"));
    }

    @Test
    void shouldRebuildFromFailoverEventsThatPromotedATenant() {
        var event = new FailoverEvent(FailoverEvent.TYPE, FailoverTrigger.MANUAL, "us-east", "", false, List.of(), 3,
                10_000, 10_250, 250, List.of(result(TenantFailover.Outcome.PROMOTED, "eu-west"),
                result(TenantFailover.Outcome.NO_HEALTHY_REPLICA, "us-east")));
        assertEquals(OptionalLong.of(70_250), EMPTY.withEvent(event).until("us-east"));
    }

    @Test
    void shouldOpenNoWindowForAFailoverThatMovedNoTenant() {
        var event = new FailoverEvent(FailoverEvent.TYPE, FailoverTrigger.AUTOMATIC, "us-east", "", false,
                List.of("eu-west"), 3, 10_000, 10_250, 250, List.of(result(TenantFailover.Outcome.NO_HEALTHY_REPLICA,
                "us-east")));
        assertEquals(OptionalLong.empty(), EMPTY.withEvent(event).until("us-east"));
        assertFalse(EMPTY.withEvent(event).isInhibited("us-east", 10_300));
    }

    @Test
    void shouldLeaveAFailoverUnfinishedUntilItsLastPartIsFolded() {
        FailoverEvent first = part("acme", 1, 2, 3, 10_000);
        FailoverEvent second = part("initech", 2, 2, 3, 10_000);
        InhibitWindows stopped = EMPTY.withEvent(first);
        assertTrue(stopped.isInhibited("us-east", 10_300), "the first part opened the window");
        assertTrue(stopped.unfinished("us-east"), "its last part is missing");
        assertFalse(stopped.withEvent(second).unfinished("us-east"));
        assertFalse(EMPTY.withEvent(second).withEvent(first).unfinished("us-east"), "parts read out of order");
        assertFalse(EMPTY.unfinished("us-east"));
    }

    @Test
    void shouldJudgeOnlyTheLatestFailoverOfARegion() {
        FailoverEvent stopped = part("acme", 1, 2, 3, 10_000);
        FailoverEvent laterWhole = part("initech", 1, 1, 4, 20_000);
        assertFalse(EMPTY.withEvent(stopped).withEvent(laterWhole).unfinished("us-east"),
                "a later, whole failover of the region finished what the stopped one left");
        assertFalse(EMPTY.withEvent(laterWhole).withEvent(stopped).unfinished("us-east"), "whatever the reading order");
        assertTrue(EMPTY.withEvent(laterWhole).withEvent(part("acme", 1, 2, 5, 30_000)).unfinished("us-east"));
    }

    private static FailoverEvent part(String tenant, int part, int parts, long controllerEpoch, long startedAt) {
        var promoted = new FailoverEvent.TenantResult(tenant, TenantFailover.Outcome.PROMOTED, 0, "us-east", "eu-west",
                4, 5, "promoted", List.of());
        return new FailoverEvent(FailoverEvent.TYPE, FailoverTrigger.AUTOMATIC, "us-east", "", false,
                List.of("eu-west"), controllerEpoch, startedAt, startedAt + 100, 100, List.of(promoted), part, parts);
    }

    private static FailoverEvent.TenantResult result(TenantFailover.Outcome outcome, String primaryAfter) {
        return new FailoverEvent.TenantResult("acme", outcome, 0, "us-east", primaryAfter, 4,
                outcome == TenantFailover.Outcome.PROMOTED ? 5 : 4, outcome.wireName(), List.of());
    }

    @Test
    void shouldRejectANegativeWindow() {
        assertThrows(IllegalArgumentException.class, () -> InhibitWindows.empty(Duration.ofSeconds(-1)));
    }
}
