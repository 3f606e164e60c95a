package io.meridian.election.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.model.Heartbeat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RoundTripsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Heartbeat beat(String node, String region, long sentAt, Map<String, Heartbeat.Echo> echoes) {
        return new Heartbeat(node, region, "http://" + node, Map.of(), Set.of(), sentAt, 1, false, false, echoes);
    }

    @Test
    void shouldTimeTheRoundTripWithTheSendersClockLessThePeersHoldingTime() {
        // Two nodes whose clocks are 10 minutes apart: the skew must not enter.
        RoundTrips east = new RoundTrips("east-1", List.of("us-east", "eu-west"), registry);
        RoundTrips west = new RoundTrips("west-1", List.of("us-east", "eu-west"), new SimpleMeterRegistry());
        long eastClock = 1_000_000;
        long westClock = 1_600_000;

        Heartbeat fromEast = beat("east-1", "us-east", eastClock, east.echoes(eastClock, 3_000));
        west.received(fromEast, westClock + 40);             // 40 ms east → west
        Map<String, Heartbeat.Echo> echoes = west.echoes(westClock + 240, 3_000);  // held 200 ms
        assertEquals(new Heartbeat.Echo(eastClock, 200), echoes.get("east-1"));
        east.received(beat("west-1", "eu-west", westClock + 240, echoes), eastClock + 300);  // 60 ms back

        assertEquals(1, east.timer("eu-west").count());
        assertEquals(100.0, east.timer("eu-west").totalTime(TimeUnit.MILLISECONDS), "40 + 60 ms, not the 200 held");

        // The same echo again (the peer beat twice before we did): counted once.
        east.received(beat("west-1", "eu-west", westClock + 1_240, west.echoes(westClock + 1_240, 3_000)),
                eastClock + 1_300);
        assertEquals(1, east.timer("eu-west").count());
        assertEquals(0, east.timer("us-east").count(), "every region's timer exists from the start");
    }

    @Test
    void shouldForgetNodesNotHeardWithinTheHorizon() {
        RoundTrips east = new RoundTrips("east-1", List.of("us-east"), registry);
        east.received(beat("west-1", "eu-west", 5, Map.of()), 10);
        assertEquals(Set.of("west-1"), east.echoes(1_000, 3_000).keySet());
        assertEquals(Set.of(), east.echoes(5_000, 3_000).keySet());
    }
}
