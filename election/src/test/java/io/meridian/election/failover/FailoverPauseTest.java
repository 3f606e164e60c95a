package io.meridian.election.failover;

import static io.meridian.election.failover.FailoverFixtures.NOW;
import static io.meridian.election.failover.FailoverFixtures.health;
import static io.meridian.election.failover.FailoverFixtures.placement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.election.ControllerTransaction;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.controller.FailoverDuty;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The operator's cluster-wide pause of automatic failover, as the controller's failover duty honours it. */
class FailoverPauseTest {
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void shouldNotFailOverAutomaticallyWhilePausedAndFailOverOnceResumed() {
        AtomicBoolean paused = new AtomicBoolean(true);
        FailoverDuty duty = new FailoverDuty(new FailoverPlanner(FailoverPolicy.defaults(LEADER_TIMEOUT), t -> 0),
                true, Duration.ofMinutes(1), (window, now) -> InhibitWindows.empty(window), "node-a",
                new SimpleMeterRegistry(), Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        duty.pauseAutomaticWhen(paused::get);
        RecordingContext context = new RecordingContext(health()
                .unhealthy("us-east", NOW - LEADER_TIMEOUT.toMillis(), "eu-west", "ap-south")
                .healthy("eu-west", Map.of(0, 100L)).healthy("ap-south", Map.of(0, 90L)).build(),
                List.of(placement("acme", "us-east", "us-east", "eu-west", "ap-south")));
        duty.onActivated(context);

        duty.tick(NOW);
        assertEquals(List.of(), context.published, "paused: us-east stays the primary");

        paused.set(false);
        duty.tick(NOW);
        assertEquals(1, context.published.size(), "resumed: acme moves");
        assertEquals("eu-west", context.published.get(0).primary());
    }

    @Test
    void shouldNotLookAtThePlacementsWhileEveryRegionIsHealthy() {
        FailoverDuty duty = new FailoverDuty(new FailoverPlanner(FailoverPolicy.defaults(LEADER_TIMEOUT), t -> 0),
                true, Duration.ofMinutes(1), (window, now) -> InhibitWindows.empty(window), "node-a",
                new SimpleMeterRegistry(), Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        RecordingContext context = new RecordingContext(health().healthy("us-east", Map.of(0, 100L))
                .healthy("eu-west", Map.of(0, 100L)).healthy("ap-south", Map.of(0, 90L)).build(),
                List.of(placement("acme", "us-east", "us-east", "eu-west", "ap-south")));
        duty.onActivated(context);

        duty.tick(NOW);
        duty.tick(NOW);
        assertEquals(0, context.placementsCalls, "each tick would copy every placement (100,000 of them)");
        assertEquals(List.of(), context.published);
    }

    /** Placements published by the duty; transactions are accepted and dropped. */
    private static final class RecordingContext implements ControllerContext {
        private final HealthSnapshot health;
        private final List<Placement> placements;
        final List<Placement> published = new ArrayList<>();
        int placementsCalls;

        RecordingContext(HealthSnapshot health, List<Placement> placements) {
            this.health = health;
            this.placements = placements;
        }

        @Override
        public long epoch() {
            return 9;
        }

        @Override
        public List<Placement> placements() {
            placementsCalls++;
            return placements;
        }

        @Override
        public Optional<Placement> placement(String tenant) {
            return placements.stream().filter(p -> p.tenant().equals(tenant)).findFirst();
        }

        @Override
        public HealthSnapshot health() {
            return health;
        }

        @Override
        public int walPartition(String tenant) {
            return 0;
        }

        @Override
        public Position publishPlacement(Placement placement, String reason,
                                         Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
            published.add(placement);
            return new Position(0, published.size());
        }

        @Override
        public List<Position> publishPlacements(List<Placement> placements, String reason,
                                                Function<List<Position>, Consumer<ControllerTransaction>> alsoWrite) {
            List<Position> fences = new ArrayList<>();
            for (Placement placement : placements) {
                fences.add(publishPlacement(placement, reason, position -> tx -> { }));
            }
            return fences;
        }

        @Override
        public void inTransaction(Consumer<ControllerTransaction> body) {
        }

        @Override
        public void runSoon(Runnable task) {
            task.run();
        }
    }
}
