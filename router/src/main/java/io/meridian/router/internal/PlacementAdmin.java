package io.meridian.router.internal;

import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.model.Placement;
import io.meridian.infra.serde.Json;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and changes placements for the admin API, on the controller. Changes run one at a time on {@code serial} (a
 * single-thread executor), so two admin requests cannot both compute the same next epoch (every node forwards its
 * admin changes to the controller, see {@link ControllerForwarder}); each goes to
 * {@link ControlPlane#changePlacement} (placement and fence in one transaction of the controller's fenced producer)
 * and then waits, bounded, until this node's placement view shows it, so that the next request here already routes
 * by it. A node that forwarded the change waits the same way for its own view ({@link #awaitRelayed}). Thread-safe.
 */
public final class PlacementAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementAdmin.class);
    public static final String REASON = "admin";

    private final RegionView view;
    private final ControlPlane controlPlane;
    private final PlacementWatch watch;
    private final ExecutorService serial;
    private final Duration visibleWait;

    public PlacementAdmin(RegionView view, ControlPlane controlPlane, PlacementWatch watch, ExecutorService serial,
                          Duration visibleWait) {
        this.view = view;
        this.controlPlane = controlPlane;
        this.watch = watch;
        this.serial = serial;
        this.visibleWait = visibleWait;
    }

    /**
     * Answers 201 with the new placement, 200 with the changed (or unchanged) one, or 202 when Kafka committed the
     * change but this node's view did not show it within the wait.
     */
    public CompletableFuture<Reply> put(String tenant, PlacementRequest request) {
        return CompletableFuture.supplyAsync(() -> change(tenant, request), serial);
    }

    private Reply change(String tenant, PlacementRequest request) {
        // Planned from what the controller committed: this node's view may lag its own last change.
        Placement current = controlPlane.committedPlacement(tenant).or(() -> view.placement(tenant)).orElse(null);
        if (request.isSatisfiedBy(current)) {
            return Reply.json(200, current);
        }
        Placement next = request.toPlacement(tenant, current);
        if (current != null) {
            refuseUnfilledReplicas(current, next);
        }
        try {
            controlPlane.changePlacement(next, REASON);
        } catch (RuntimeException e) {
            ApiException answer = ControllerErrors.translate(e, tenant).orElse(null);
            if (answer == null) {
                throw e;
            }
            LOG.warn("placement change not published tenant={} epoch={}: {}", tenant, next.epoch(), e.toString());
            throw answer;
        }
        Optional<Placement> seen = awaitVisible(tenant, next.epoch());
        int created = current == null ? 201 : 200;
        if (seen.isEmpty()) {
            LOG.warn("placement published but not yet visible here tenant={} epoch={} after {} ms", tenant,
                    next.epoch(), visibleWait.toMillis());
            return Reply.json(202, next);
        }
        if (!seen.get().equals(next)) {
            // Another node's change with the same epoch won the race in the log.
            throw ApiException.of(ErrorCode.PLACEMENT_CHANGED, "another change of tenant " + tenant
                    + "'s placement was committed at the same time and won (epoch " + seen.get().epoch()
                    + "): GET the placement and retry if it is not what you want", tenant,
                    Map.of("placement", seen.get()), null);
        }
        LOG.info("placement changed by admin tenant={} epoch={} primary={} replicas={}", tenant, next.epoch(),
                next.primary(), next.replicas());
        return Reply.json(created, next);
    }

    /**
     * On a node that forwarded a placement change to the controller: the controller's answer, once this node's
     * placement view shows the placement it answered with (a {@code 200}/{@code 201} becomes {@code 202} when the
     * view does not show it within the wait). Other answers are relayed as they are.
     */
    public CompletableFuture<Reply> awaitRelayed(Reply relayed) {
        if (relayed.status() < 200 || relayed.status() > 202) {
            return CompletableFuture.completedFuture(relayed);
        }
        Placement placement;
        try {
            placement = Json.read(relayed.body(), Placement.class);
        } catch (RuntimeException e) {
            LOG.warn("the controller answered a placement change with {} but no placement: {}", relayed.status(),
                    e.toString());
            return CompletableFuture.completedFuture(relayed);
        }
        return watch.awaitEpoch(placement.tenant(), placement.epoch(), visibleWait).thenApply(seen -> {
            if (seen.isPresent()) {
                return relayed;
            }
            LOG.warn("placement changed by the controller but not yet visible here tenant={} epoch={} after {} ms",
                    placement.tenant(), placement.epoch(), visibleWait.toMillis());
            return new Reply(202, relayed.headers(), relayed.contentType(), relayed.body());
        });
    }

    /**
     * A region added to an existing tenant's replicas would hold only the writes from now on and serve reads of
     * documents it never saw as missing: refuse it until regions can be back-filled.
     */
    private static void refuseUnfilledReplicas(Placement current, Placement next) {
        List<String> added = next.replicas().stream().filter(r -> !current.isReplicatedTo(r)).toList();
        if (!added.isEmpty()) {
            throw ApiException.of(ErrorCode.REPLICA_NOT_BACKFILLED, "tenant " + current.tenant() + " exists; adding "
                    + added + " to its replicas needs a back-fill of its documents there, which Meridian does not do"
                    + " yet: place new tenants with every replica region they will need", current.tenant());
        }
    }

    private Optional<Placement> awaitVisible(String tenant, long epoch) {
        try {
            return watch.awaitEpoch(tenant, epoch, visibleWait)
                    .get(visibleWait.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the placement view", e);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    public Reply get(String tenant) {
        return view.placement(tenant).map(p -> Reply.json(200, p))
                .orElseThrow(() -> DocumentWriter.tenantNotFound(tenant));
    }

    /** {@code {"tenants":[placements sorted by tenant]}}. */
    public Reply list() {
        List<Placement> all = view.placements().stream().sorted(Comparator.comparing(Placement::tenant)).toList();
        return Reply.json(200, Map.of("tenants", all));
    }
}
