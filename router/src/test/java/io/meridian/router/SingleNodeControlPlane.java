package io.meridian.router;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.ElectionState;
import io.meridian.election.controller.ControlPlane;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Test-only: the control plane of a cluster with one controller that never changes, on real Kafka: placement changes
 * go through a {@link ControllerLog} (placement and fence in one transaction). Always the controller, always with
 * quorum; no failover. Thread-safe. The log belongs to the caller.
 */
final class SingleNodeControlPlane implements ControlPlane {
    static final String BACKEND = "single-node";

    private final ControllerLog log;
    private final ElectionCandidate self;
    private final Clock clock;
    private final String since;

    SingleNodeControlPlane(ControllerLog log, ElectionCandidate self, Clock clock) {
        this.log = log;
        this.self = self;
        this.clock = clock;
        this.since = clock.instant().toString();
    }

    @Override
    public ElectionSnapshot election() {
        return ElectionSnapshot.of(BACKEND, ElectionState.LEADER, log.controllerEpoch(), true, Optional.of(self), self,
                since);
    }

    @Override
    public boolean hasQuorum() {
        return true;
    }

    @Override
    public boolean isController() {
        return true;
    }

    @Override
    public Optional<URI> controllerUrl() {
        return Optional.of(URI.create(self.url()));
    }

    @Override
    public Position changePlacement(Placement placement, String reason) {
        return log.commit(placement, reason);
    }

    @Override
    public FailoverEvent failover(String region, Optional<String> target, boolean force) {
        throw new UnsupportedOperationException("the single-node test control plane does not fail over");
    }

    @Override
    public Optional<Placement> committedPlacement(String tenant) {
        return Optional.empty();
    }

    @Override
    public HealthSnapshot health() {
        return HealthSnapshot.of(clock.millis(), List.of());
    }
}
