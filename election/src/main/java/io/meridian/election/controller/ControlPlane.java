package io.meridian.election.controller;

import io.meridian.election.ElectionSnapshot;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.ManualFailoverRejectedException;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What the rest of a node (the router's admin API, its write path) needs from the control plane: who controls, and
 * the controller's operations. The operations run only on the controller: elsewhere they throw
 * {@link NotControllerException}, and callers forward the request to {@link #controllerUrl()}. Thread-safe.
 */
public interface ControlPlane {

    /** The election as this node sees it. */
    ElectionSnapshot election();

    /**
     * Whether this node reaches its coordination service (ZooKeeper, or the Kafka group coordinator). A node that
     * does not must stop accepting writes: it cannot know whether its region is being failed over.
     */
    boolean hasQuorum();

    boolean isController();

    /** The controller's URL, when one is known. */
    Optional<URI> controllerUrl();

    /**
     * Publishes {@code placement} (its epoch already one above the current one) with its fence, in one transaction
     * of the controller's fenced producer.
     *
     * @return the fence's position in the WAL
     * @throws PlacementConflictException when the placement was not planned from the tenant's current epoch
     * @throws NotControllerException on any node but the controller, or when this controller was just deposed
     */
    Position changePlacement(Placement placement, String reason);

    /**
     * Publishes many tenants' placements (each one epoch above its tenant's current one, at most
     * {@link PlacementPublisher#MAX_BATCH}, no tenant twice) with their fences in ONE transaction of the controller's
     * fenced producer: all of them take effect, or none does.
     *
     * @return the fences' positions, in the order of {@code placements}
     * @throws PlacementConflictException when one placement was not planned from its tenant's current epoch (nothing
     *                                    of the batch was written)
     * @throws NotControllerException     on any node but the controller, or when this controller was just deposed
     */
    default List<Position> changePlacements(List<Placement> placements, String reason) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not change placements in bulk");
    }

    /**
     * Manual failover of {@code region}'s tenants to {@code target} (or to the best replica), through the same path
     * as automatic failover.
     *
     * @throws ManualFailoverRejectedException with a code: unknown_region, invalid_target, inhibited
     * @throws NotControllerException on any node but the controller
     */
    FailoverEvent failover(String region, Optional<String> target, boolean force);

    /**
     * On the controller, the tenant's placement as the controller has committed it (what changes must be planned
     * from); elsewhere empty.
     */
    Optional<Placement> committedPlacement(String tenant);

    /** Region health as this node's monitor sees it. */
    HealthSnapshot health();

    /** Thrown when a controller operation reaches a node that is not (or no longer) the controller. */
    final class NotControllerException extends RuntimeException {
        public NotControllerException(String message) {
            super(message);
        }
    }
}
