package io.meridian.router.internal;

import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.model.Placement;
import io.meridian.streams.SyncStatus;
import io.meridian.streams.SyncTracker;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the controller when this region has caught up with a tenant it was syncing, so that it clears the region from
 * the placement's {@code syncing} (a new epoch). Runs every second on the router's timer: whatever was lost (a crash of
 * this node or of the controller, a report refused because the placement changed meanwhile) is reported again, as long
 * as the applier says caught up at the placement's current epoch and the placement still lists this region as
 * syncing. Thread-safe.
 */
public final class SyncReporter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncReporter.class);

    private final String region;
    private final RegionView view;
    private final ControlPlane controlPlane;
    private final PlacementAdmin admin;
    private final ControllerForwarder forwarder;
    private final java.util.function.Supplier<String> adminToken;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile BooleanSupplier needsReseed = () -> false;
    private volatile Runnable reseeded = () -> { };
    /** A reseed of this region was accepted by the controller; cleared once every tenant caught up. */
    private volatile boolean reseedRequested;
    private volatile boolean reseedInFlight;
    private volatile String lastReseedProblem = "";

    public SyncReporter(String region, RegionView view, ControlPlane controlPlane, PlacementAdmin admin,
                 ControllerForwarder forwarder, String adminToken) {
        this(region, view, controlPlane, admin, forwarder, () -> adminToken);
    }

    /** @param adminToken the admin token in force at each report (tokens rotate: {@link AdminAuth#nodeToken()}) */
    public SyncReporter(String region, RegionView view, ControlPlane controlPlane, PlacementAdmin admin,
                        ControllerForwarder forwarder, java.util.function.Supplier<String> adminToken) {
        this.region = region;
        this.view = view;
        this.controlPlane = controlPlane;
        this.admin = admin;
        this.forwarder = forwarder;
        this.adminToken = adminToken;
    }

    private String authorization() {
        String token = adminToken.get();
        return token == null || token.isEmpty() ? null : "Bearer " + token;
    }

    /**
     * Re-seeds this region by itself while {@code needsReseed} says its copy has a gap (it skipped WAL records that
     * retention deleted, e.g. its state and changelogs were lost while the WAL moved on): asks the controller for a
     * reseed of the region once, and calls {@code reseeded} when every tenant it holds has caught up again.
     */
    public void autoReseed(BooleanSupplier needsReseed, Runnable reseeded) {
        this.needsReseed = needsReseed;
        this.reseeded = reseeded;
    }

    @Override
    public void run() {
        try {
            Optional<SyncTracker> syncs = view.syncs();
            if (syncs.isEmpty() || !view.isReady()) {
                return;
            }
            reseedIfNeeded(syncs.get());
            for (SyncStatus status : syncs.get().caughtUp()) {
                Placement placement = view.placement(status.tenant()).orElse(null);
                if (placement == null || !placement.syncing().contains(region)
                        || placement.epoch() != status.fenceEpoch() || !inFlight.add(status.tenant())) {
                    continue;
                }
                report(status).whenComplete((reply, error) -> {
                    inFlight.remove(status.tenant());
                    if (error != null) {
                        LOG.warn("sync caught up tenant={} region={} epoch={}: report to the controller failed: {}",
                                status.tenant(), region, status.fenceEpoch(), error.toString());
                    } else if (reply.status() >= 300) {
                        LOG.warn("sync caught up tenant={} region={} epoch={}: the controller answered {}",
                                status.tenant(), region, status.fenceEpoch(), reply.status());
                    } else {
                        LOG.info("sync caught up tenant={} region={} epoch={}: reported, the controller cleared"
                                + " syncing", status.tenant(), region, status.fenceEpoch());
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.debug("sync reporter: {}", e.toString());
        }
    }

    private void reseedIfNeeded(SyncTracker syncs) {
        if (!needsReseed.getAsBoolean() || reseedInFlight) {
            return;
        }
        List<Placement> held = view.placements().stream().filter(p -> p.isReplicatedTo(region)).toList();
        if (reseedRequested) {
            if (held.stream().allMatch(p -> p.isCaughtUpIn(region)) && syncs.inProgress().isEmpty()) {
                LOG.info("reseed region={}: every tenant it holds ({}) caught up", region, held.size());
                reseedRequested = false;
                reseeded.run();
            }
            return;
        }
        List<String> primaryOf = held.stream().filter(p -> p.primary().equals(region)).map(Placement::tenant).toList();
        String problem = held.isEmpty() ? "it holds no tenant"
                : !primaryOf.isEmpty() ? "it is the primary of " + primaryOf + " (fail it over first)" : "";
        if (!problem.isEmpty()) {
            if (!problem.equals(lastReseedProblem)) {
                LOG.warn("region={} needs a reseed but cannot be re-seeded by itself: {}", region, problem);
                lastReseedProblem = problem;
            }
            return;
        }
        reseedInFlight = true;
        CompletableFuture<Reply> asked;
        if (controlPlane.isController()) {
            asked = admin.reseed(region);
        } else {
            Optional<URI> controller = controlPlane.controllerUrl();
            asked = controller.isEmpty() ? CompletableFuture.failedFuture(new IllegalStateException("no controller"))
                    : forwarder.forward(controller.get(), "POST", "/admin/regions/" + region + "/reseed", null,
                    new byte[0], authorization(), null);
        }
        asked.whenComplete((reply, error) -> {
            reseedInFlight = false;
            if (error == null && reply.status() < 300) {
                reseedRequested = true;
                LOG.info("region={} needs a reseed: the controller started it ({})", region, reply.status());
            } else {
                LOG.warn("region={} needs a reseed: asking the controller failed: {}", region,
                        error != null ? error.toString() : reply.status() + " " + new String(reply.body(),
                                java.nio.charset.StandardCharsets.UTF_8));
            }
        });
    }

    private CompletableFuture<Reply> report(SyncStatus status) {
        if (controlPlane.isController()) {
            return admin.caughtUp(status.tenant(), region, status.fenceEpoch());
        }
        Optional<URI> controller = controlPlane.controllerUrl();
        if (controller.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no controller known"));
        }
        String path = "/admin/tenants/" + status.tenant() + "/sync/" + region + "/caught-up";
        return forwarder.forward(controller.get(), "POST", path, "epoch=" + status.fenceEpoch(), new byte[0],
                authorization(), null);
    }
}
