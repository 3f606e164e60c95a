package io.meridian.router;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.ElectionState;
import io.meridian.election.controller.ControlPlane;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverTrigger;
import io.meridian.election.failover.ManualFailoverError;
import io.meridian.election.failover.ManualFailoverRejectedException;
import io.meridian.election.failover.TenantFailover;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory control plane delivering placements to {@link FakeRegion}s: for the unit tests of node-local duties
 * (SyncReporterTest) that need no Kafka. Router tests run on the real cluster (RouterHarness).
 *
 * <p>
 * A control plane in memory. As the controller ({@link #controller} true, the default) it "publishes" placement
 * changes and failovers by showing the new placements in every registered {@link FakeRegion} after that region's
 * delay, as Kafka and each node's placement view would; a failover promotes, for each tenant whose primary is the
 * failed region in {@link #source}, the requested target or else its first other replica. Every knob is a volatile
 * field a test sets.
 */
final class InMemoryControlPlane implements ControlPlane {
    /** A failover call as the router made it. */
    record FailoverCall(String region, Optional<String> target, boolean force) {
    }

    final ElectionCandidate self;
    volatile boolean controller = true;
    volatile boolean quorum = true;
    /** The controller's URL; null when none is known. */
    volatile URI controllerUrl;
    volatile long controllerEpoch = 3;
    volatile RuntimeException changeFailure;
    volatile RuntimeException failoverFailure;
    volatile ManualFailoverError failoverRejection;
    /** When set, views show this placement instead of a published one: another change of the same epoch won. */
    volatile Placement raceWinner;
    /** The placements a failover looks at (the controller's own view). */
    volatile FakeRegion source;
    /** What {@link #health()} answers. */
    volatile HealthSnapshot health = HealthSnapshot.of(0, List.of());
    final List<Placement> published = new CopyOnWriteArrayList<>();
    final List<FailoverCall> failovers = new CopyOnWriteArrayList<>();
    private final Map<FakeRegion, Duration> views = new ConcurrentHashMap<>();
    private final AtomicLong offsets = new AtomicLong();

    InMemoryControlPlane(ElectionCandidate self) {
        this.self = self;
    }

    /** Placements published from now on show in {@code region} after {@code delay}. */
    InMemoryControlPlane deliverTo(FakeRegion region, Duration delay) {
        views.put(region, delay);
        return this;
    }

    /** Placements published from now on never show in {@code region}. */
    InMemoryControlPlane stopDeliveringTo(FakeRegion region) {
        views.remove(region);
        return this;
    }

    @Override
    public ElectionSnapshot election() {
        boolean leading = controller;
        URI url = controllerUrl;
        Optional<ElectionCandidate> leader = leading ? Optional.of(self)
                : Optional.ofNullable(url).map(u -> new ElectionCandidate("leader-1", "eu-west", u.toString(), 0));
        ElectionState state = !quorum ? ElectionState.DISCONNECTED
                : leading ? ElectionState.LEADER : leader.isPresent() ? ElectionState.FOLLOWER : ElectionState.CANDIDATE;
        return ElectionSnapshot.of("zookeeper", state, leader.isPresent() ? controllerEpoch : -1, quorum,
                state == ElectionState.DISCONNECTED ? Optional.empty() : leader, self, "2025-01-01T00:00:00Z");
    }

    @Override
    public boolean hasQuorum() {
        return quorum;
    }

    @Override
    public boolean isController() {
        return controller;
    }

    @Override
    public Optional<URI> controllerUrl() {
        return controller ? Optional.of(URI.create(self.url())) : Optional.ofNullable(controllerUrl);
    }

    @Override
    public Position changePlacement(Placement placement, String reason) {
        requireController();
        RuntimeException failure = changeFailure;
        if (failure != null) {
            throw failure;
        }
        publish(placement);
        return new Position(0, offsets.getAndIncrement());
    }

    @Override
    public FailoverEvent failover(String region, Optional<String> target, boolean force) {
        failovers.add(new FailoverCall(region, target, force));
        requireController();
        if (failoverFailure != null) {
            throw failoverFailure;
        }
        if (failoverRejection != null) {
            throw new ManualFailoverRejectedException(failoverRejection);
        }
        List<FailoverEvent.TenantResult> tenants = new ArrayList<>();
        List<Placement> onRegion = source.placements.values().stream().filter(p -> p.primary().equals(region))
                .sorted(Comparator.comparing(Placement::tenant)).toList();
        for (Placement before : onRegion) {
            Optional<String> next = target.filter(before::isReplicatedTo)
                    .or(() -> before.replicas().stream().filter(r -> !r.equals(region)).findFirst());
            if (next.isEmpty()) {
                tenants.add(new FailoverEvent.TenantResult(before.tenant(), TenantFailover.Outcome.NO_HEALTHY_REPLICA,
                        0, region, region, before.epoch(), before.epoch(), "no other replica", List.of()));
                continue;
            }
            Placement after = before.withPrimary(next.get(), before.epoch() + 1);
            tenants.add(new FailoverEvent.TenantResult(before.tenant(), TenantFailover.Outcome.PROMOTED, 0, region,
                    after.primary(), before.epoch(), after.epoch(), "promoted " + after.primary(),
                    List.of(new FailoverEvent.CandidateResult(after.primary(), "healthy", 41, 0, true, "chosen"))));
            publish(after);
        }
        return new FailoverEvent(FailoverEvent.TYPE, FailoverTrigger.MANUAL, region, target.orElse(""), force,
                List.of("ap-south"), controllerEpoch, 1_000, 1_250, 250, tenants);
    }

    @Override
    public java.util.Optional<Placement> committedPlacement(String tenant) {
        return java.util.Optional.empty();
    }

    @Override
    public HealthSnapshot health() {
        return health;
    }

    private void requireController() {
        if (!controller) {
            throw new NotControllerException("node " + self.nodeId() + " is not the controller (test)");
        }
    }

    private void publish(Placement placement) {
        published.add(placement);
        Placement shown = raceWinner != null && raceWinner.tenant().equals(placement.tenant()) ? raceWinner : placement;
        // Each view shows it a moment later, from another thread, as a global stream thread would.
        views.forEach((region, delay) -> CompletableFuture.runAsync(() -> region.setPlacement(shown),
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)));
    }
}
