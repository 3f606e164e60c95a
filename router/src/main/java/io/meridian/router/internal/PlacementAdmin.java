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
            next = withSyncing(current, next);
        }
        return publish(tenant, current, next);
    }

    private Reply publish(String tenant, Placement current, Placement next) {
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
     * A region added to an existing tenant's replicas starts {@code syncing}: it fills its copy from a snapshot taken
     * at this change's fence and serves nothing until it has caught up (full sync). Regions still syncing stay so.
     * The primary must hold a complete copy: a region that is added, or still syncing, cannot be made the primary.
     */
    static Placement withSyncing(Placement current, Placement next) {
        List<String> added = next.replicas().stream().filter(r -> !current.isReplicatedTo(r)).toList();
        List<String> syncing = next.replicas().stream()
                .filter(r -> added.contains(r) || current.syncing().contains(r)).toList();
        if (syncing.contains(next.primary())) {
            boolean isNew = added.contains(next.primary());
            throw ApiException.of(isNew ? ErrorCode.REPLICA_NOT_BACKFILLED : ErrorCode.TARGET_SYNCING, "region "
                    + next.primary() + (isNew ? " holds no copy of tenant " + current.tenant() + " yet"
                    : " is still syncing tenant " + current.tenant()) + ": it cannot become the primary. Add it to"
                    + " the replicas (keeping primary " + current.primary() + "), let it catch up (GET /admin/tenants/"
                    + current.tenant() + "/sync?region=" + next.primary() + "), then migrate", current.tenant());
        }
        return new Placement(next.tenant(), next.primary(), next.replicas(), next.epoch(), next.writes(),
                next.strategy(), next.mode(), next.writeConcern(), next.preferredPrimary(), syncing);
    }

    /**
     * A syncing region's node reports that it caught up at the tenant's fence epoch {@code epoch}: clear it from
     * {@code syncing} (a new epoch). Only when the report is about the committed epoch, so a report from before a
     * later change (a cancel, a new sync) cannot clear it.
     */
    public CompletableFuture<Reply> caughtUp(String tenant, String region, long epoch) {
        return CompletableFuture.supplyAsync(() -> {
            Placement current = committed(tenant);
            if (!current.syncing().contains(region)) {
                return Reply.json(200, current);
            }
            if (current.epoch() != epoch) {
                throw ApiException.of(ErrorCode.PLACEMENT_CHANGED, "region " + region + " caught up at epoch " + epoch
                        + " but tenant " + tenant + " is at epoch " + current.epoch() + ": report again once it"
                        + " applied that fence", tenant);
            }
            List<String> syncing = current.syncing().stream().filter(r -> !r.equals(region)).toList();
            LOG.info("sync caught up tenant={} region={} epoch={}: clearing syncing", tenant, region, epoch);
            return publish(tenant, current, current.withReplicas(current.replicas(), syncing, epoch + 1));
        }, serial);
    }

    /** Cancels the sync of {@code region}: removes it from the tenant's replicas (its partial copy is dropped). */
    public CompletableFuture<Reply> cancelSync(String tenant, String region) {
        return CompletableFuture.supplyAsync(() -> {
            Placement current = committed(tenant);
            if (!current.syncing().contains(region)) {
                throw ApiException.of(ErrorCode.NOT_SYNCING, "region " + region + " is not syncing tenant " + tenant
                        + " (replicas " + current.replicas() + ", syncing " + current.syncing() + "): nothing to"
                        + " cancel", tenant);
            }
            List<String> replicas = current.replicas().stream().filter(r -> !r.equals(region)).toList();
            List<String> syncing = current.syncing().stream().filter(r -> !r.equals(region)).toList();
            LOG.info("sync cancelled tenant={} region={} epoch={}", tenant, region, current.epoch() + 1);
            return publish(tenant, current, current.withReplicas(replicas, syncing, current.epoch() + 1));
        }, serial);
    }

    /**
     * Re-seeds {@code region}: every tenant it holds (and does not already sync) starts syncing there again, each from
     * a snapshot of its primary at its own fence. Refused, with nothing changed, when the region holds no tenant or is
     * the primary of one (fail it over first: a primary's copy is the source of truth).
     */
    public CompletableFuture<Reply> reseed(String region) {
        return CompletableFuture.supplyAsync(() -> {
            List<Placement> held = view.placements().stream().map(p -> committed(p.tenant()))
                    .filter(p -> p.isReplicatedTo(region)).sorted(Comparator.comparing(Placement::tenant)).toList();
            if (held.isEmpty()) {
                throw ApiException.of(ErrorCode.REGION_HOLDS_NO_TENANTS, "region " + region + " holds no tenant:"
                        + " there is nothing to re-seed");
            }
            List<String> primaryOf = held.stream().filter(p -> p.primary().equals(region)).map(Placement::tenant)
                    .toList();
            if (!primaryOf.isEmpty()) {
                throw ApiException.of(ErrorCode.REGION_IS_PRIMARY, "region " + region + " is the primary of " + primaryOf
                        + ": fail it over (POST /admin/replication/failover) or migrate those tenants first; nothing"
                        + " was changed", null, Map.of("tenants", primaryOf), null);
            }
            List<String> started = new java.util.ArrayList<>();
            for (Placement p : held) {
                if (p.syncing().contains(region)) {
                    continue;
                }
                List<String> syncing = new java.util.ArrayList<>(p.syncing());
                syncing.add(region);
                publish(p.tenant(), p, p.withReplicas(p.replicas(), syncing, p.epoch() + 1));
                started.add(p.tenant());
            }
            LOG.info("reseed region={}: {} tenant(s) syncing again: {}", region, started.size(), started);
            return Reply.json(202, Map.of("region", region, "tenants", started,
                    "already_syncing", held.stream().map(Placement::tenant).filter(t -> !started.contains(t)).toList()));
        }, serial);
    }

    private Placement committed(String tenant) {
        return controlPlane.committedPlacement(tenant).or(() -> view.placement(tenant))
                .orElseThrow(() -> DocumentWriter.tenantNotFound(tenant));
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

    /** A page of {@code {"tenants":[placements sorted by tenant], "next"}} (see {@link TenantListing}). */
    public Reply list(TenantListing listing) {
        return listing.read(view);
    }
}
