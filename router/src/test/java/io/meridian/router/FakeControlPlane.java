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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A control plane whose election, quorum, health and failures a test sets (the real one needs ZooKeeper or the Kafka
 * group coordinator, a health monitor and heartbeats from every region, and cannot lose its quorum on demand without
 * disturbing the shared cluster). What it commits is real: as the controller ({@link #controller} true, the default)
 * it writes placement changes and failovers through a {@link ControllerLog} (placement and fence in one Kafka
 * transaction), and every region's real placement view and applier read them from Kafka. A failover promotes, for
 * each tenant this controller committed ({@link #known}) whose primary is the failed region, the requested target or
 * else its first other replica. Every knob is a volatile field a test sets.
 */
final class FakeControlPlane implements ControlPlane {
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
    /** When set, this placement is committed instead of a published one: another change of the same epoch won. */
    volatile Placement raceWinner;
    /**
     * False: a change commits its fences but not its placements, so no placement view ever shows it (the appliers
     * still decide by it).
     */
    volatile boolean viewsShowChanges = true;
    /** Where changes are committed; none: this node never commits (a follower's control plane). */
    volatile ControllerLog log;
    /** The placements this controller committed, by tenant: what a failover looks at. */
    final Map<String, Placement> known = new ConcurrentHashMap<>();
    /** What {@link #health()} answers. */
    volatile HealthSnapshot health = HealthSnapshot.of(0, List.of());
    final List<Placement> published = new CopyOnWriteArrayList<>();
    final List<FailoverCall> failovers = new CopyOnWriteArrayList<>();

    FakeControlPlane(ElectionCandidate self) {
        this.self = self;
    }

    /** Commits placement changes to {@code log}. */
    FakeControlPlane writingTo(ControllerLog log) {
        this.log = log;
        return this;
    }

    /** A placement committed before the test (not counted in {@link #published}). */
    Placement given(Placement placement) {
        commit(placement, "given by the test");
        return placement;
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
        return publish(placement);
    }

    /** All of them in one transaction of the log (no race winner, views always show them). */
    @Override
    public List<Position> changePlacements(List<Placement> placements, String reason) {
        requireController();
        RuntimeException failure = changeFailure;
        if (failure != null) {
            throw failure;
        }
        ControllerLog to = log;
        if (to == null) {
            throw new IllegalStateException("this test control plane commits nowhere: call writingTo first");
        }
        published.addAll(placements);
        placements.forEach(p -> known.put(p.tenant(), p));
        to.commitAll(placements, reason);
        return placements.stream().map(p -> new Position(0, 0)).toList();
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
        List<Placement> onRegion = known.values().stream().filter(p -> p.primary().equals(region))
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

    private Position publish(Placement placement) {
        published.add(placement);
        Placement committed = raceWinner != null && raceWinner.tenant().equals(placement.tenant()) ? raceWinner
                : placement;
        return commit(committed, "changed by the test's controller");
    }

    private Position commit(Placement placement, String reason) {
        ControllerLog to = log;
        if (to == null) {
            throw new IllegalStateException("this test control plane commits nowhere: call writingTo first");
        }
        known.put(placement.tenant(), placement);
        return viewsShowChanges ? to.commit(placement, reason) : to.fenceOnly(placement, reason);
    }
}
