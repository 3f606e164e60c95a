package io.meridian.election.controller;

import io.meridian.election.ControllerTransaction;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a {@link ControllerDuty} may use while its node is the controller. Every write goes through the controller's
 * fenced producer: once a newer controller exists, they throw {@link io.meridian.election.ControllerFencedException}.
 * Valid on the duties thread only, except {@link #runSoon}, which any thread may call.
 */
public interface ControllerContext {

    /** The controller epoch of this term. */
    long epoch();

    /**
     * The placements as this controller term has committed them (read to the end of the log when the term opened,
     * then advanced by its own commits): what every change must be planned from.
     */
    List<Placement> placements();

    Optional<Placement> placement(String tenant);

    /** Region health as this node's monitor sees it, incl. each region's applied WAL offsets. */
    HealthSnapshot health();

    /** The WAL partition a tenant's records go to. */
    int walPartition(String tenant);

    /**
     * ONE transaction: {@code placement} to meridian.placements, its fence into the tenant's WAL partition, then
     * whatever {@code alsoWrite} adds, knowing the fence's position (e.g. the lifecycle event that names it).
     *
     * @return the fence's position
     */
    Position publishPlacement(Placement placement, String reason, Function<Position, Consumer<ControllerTransaction>> alsoWrite);

    /**
     * ONE transaction for many tenants (at most {@link PlacementPublisher#MAX_BATCH}): their placements, their fences,
     * then whatever {@code alsoWrite} adds knowing the fences' positions (in the order of {@code placements}). All or
     * nothing: a placement planned from a stale epoch refuses the whole batch before anything is written.
     *
     * @return the fences' positions, in the order of {@code placements}
     */
    default List<Position> publishPlacements(List<Placement> placements, String reason,
                                             Function<List<Position>, Consumer<ControllerTransaction>> alsoWrite) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not publish placements in bulk");
    }

    /** A transaction without a placement change (e.g. lifecycle events only). */
    void inTransaction(Consumer<ControllerTransaction> body);

    /**
     * Runs {@code task} on the duties thread soon (e.g. to react to a command or an answer without waiting for the next
     * tick); dropped if this term has ended by then. Callable from any thread; may throw
     * {@link java.util.concurrent.RejectedExecutionException} once the controller has shut down.
     */
    void runSoon(Runnable task);
}
