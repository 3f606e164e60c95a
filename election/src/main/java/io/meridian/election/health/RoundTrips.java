package io.meridian.election.health;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Heartbeat;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Heartbeat round trips between this node and every other node, through {@code meridian.heartbeats}: each node echoes
 * in its heartbeat the newest heartbeat it received from every other node (the sender's {@code sentAtMillis} and how
 * long it held it); the sender then measures {@code now - sentAtMillis - held} with its own clock, so clock skew
 * between regions does not enter. Recorded in {@link MetricNames#HEARTBEAT_ROUND_TRIP}{region = the peer's region}.
 * Each of this node's heartbeats counts once per peer. Not thread-safe: the heartbeat thread owns it.
 */
final class RoundTrips {
    /** Bucket bounds of the round-trip histogram (a fixed list: a dozen series per region). */
    static final List<Duration> BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10));
    /** Longer round trips are not recorded: a stale echo from a node that stopped, not a latency. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private final String nodeId;
    private final MeterRegistry registry;
    // node id → [its newest heartbeat's sentAtMillis, when this node received it]
    private final Map<String, long[]> received = new HashMap<>();
    // node id → the sentAtMillis of this node's heartbeat that the node last echoed and that was counted
    private final Map<String, Long> counted = new HashMap<>();
    private final Map<String, Timer> timers = new HashMap<>();

    RoundTrips(String nodeId, Collection<String> regions, MeterRegistry registry) {
        this.nodeId = nodeId;
        this.registry = registry;
        regions.forEach(this::timer);  // every region's series from the start (count 0 until a round trip)
    }

    /** A heartbeat arrived at {@code now}: remember it to echo it, and time the round trip of ours it echoes. */
    void received(Heartbeat heartbeat, long now) {
        if (heartbeat.nodeId().equals(nodeId)) {
            return;
        }
        received.put(heartbeat.nodeId(), new long[] {heartbeat.sentAtMillis(), now});
        Heartbeat.Echo echo = heartbeat.echoes().get(nodeId);
        Long last = counted.get(heartbeat.nodeId());
        if (echo == null || last != null && echo.sentAtMillis() <= last) {
            return;  // nothing of ours, or ours again from a peer that beats faster than we do
        }
        counted.put(heartbeat.nodeId(), echo.sentAtMillis());
        long roundTrip = now - echo.sentAtMillis() - echo.heldMillis();
        if (roundTrip >= 0 && roundTrip <= LIMIT.toMillis()) {
            timer(heartbeat.region()).record(Duration.ofMillis(roundTrip));
        }
    }

    /** What this node's heartbeat sent at {@code now} echoes: every node heard within {@code horizonMillis}. */
    Map<String, Heartbeat.Echo> echoes(long now, long horizonMillis) {
        received.values().removeIf(seen -> seen[1] < now - horizonMillis);
        Map<String, Heartbeat.Echo> echoes = new HashMap<>();
        received.forEach((node, seen) -> echoes.put(node, new Heartbeat.Echo(seen[0], Math.max(0, now - seen[1]))));
        return echoes;
    }

    Timer timer(String region) {
        return timers.computeIfAbsent(region, r -> Timer.builder(MetricNames.HEARTBEAT_ROUND_TRIP)
                .description("Heartbeat round trip between this node and a node of the region, through Kafka")
                .tag(MetricNames.TAG_REGION, r)
                .serviceLevelObjectives(BUCKETS.toArray(Duration[]::new))
                .minimumExpectedValue(BUCKETS.get(0)).maximumExpectedValue(LIMIT)
                .register(registry));
    }
}
