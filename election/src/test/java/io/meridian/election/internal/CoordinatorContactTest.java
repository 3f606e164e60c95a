package io.meridian.election.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CoordinatorContactTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final CoordinatorContact contact = new CoordinatorContact(clock, Duration.ofSeconds(5),
            Duration.ofSeconds(20));

    @Test
    void shouldHaveNoContactBeforeTheFirstResponse() {
        assertFalse(contact.hasContact());
        assertEquals(-1, contact.silentMs());
        contact.observeResponses(3);  // the first observation is only a baseline
        assertFalse(contact.hasContact());
        contact.rebalanceStarted();   // sending a join proves nothing
        assertFalse(contact.hasContact());
    }

    @Test
    void shouldLoseContactWhenNoResponseArrivesWithinTheDeadline() {
        contact.rebalanceCompleted();
        contact.observeResponses(0);
        clock.advance(Duration.ofSeconds(4));
        contact.observeResponses(1);  // a heartbeat response
        clock.advance(Duration.ofSeconds(5));
        assertTrue(contact.hasContact());
        contact.observeResponses(1);  // no new response
        clock.advance(Duration.ofMillis(1));
        assertFalse(contact.hasContact());
        assertEquals(5_001, contact.silentMs());
        contact.observeResponses(2);
        assertTrue(contact.hasContact());
    }

    @Test
    void shouldAllowTheLongerDeadlineWhileARebalanceRuns() {
        contact.rebalanceCompleted();
        contact.rebalanceStarted();
        clock.advance(Duration.ofSeconds(19));
        assertTrue(contact.hasContact(), "the join is parked at the coordinator until every member rejoined");
        clock.advance(Duration.ofSeconds(2));
        assertFalse(contact.hasContact());
        contact.rebalanceCompleted();
        assertTrue(contact.hasContact());
        clock.advance(Duration.ofSeconds(6));
        assertFalse(contact.hasContact(), "back to the normal deadline");
    }

    @Test
    void shouldIgnoreMissingMetrics() {
        contact.rebalanceCompleted();
        contact.observeResponses(Double.NaN);
        clock.advance(Duration.ofSeconds(6));
        assertFalse(contact.hasContact());
    }
}
