package io.meridian.election.controller;

import io.meridian.election.failover.FailoverDecision;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverPlan;
import io.meridian.election.failover.FailoverPlanner;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.failover.TenantFailover;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover as a controller duty: every tick it fails over the regions that have been unhealthy long enough (when
 * automatic failover is on), and it runs the operator's manual failovers through the same path. Plans come from the
 * term's committed placements and the health view; the region's tenants move in transactions of up to {@link #BATCH}
 * tenants (their placements, fences and the failover event's part that lists them). Inhibit windows are rebuilt from the controller log when a term
 * starts, so flapping protection survives a hand-over. Runs on the controller's duties thread only.
 */
public final class FailoverDuty implements ControllerDuty {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverDuty.class);

    /**
     * Tenants moved per transaction: bounds a transaction (placements, fences) and its event part (about 0.5 KB a
     * tenant with its candidates) well below Kafka's 1 MiB record limit.
     */
    static final int BATCH = 1_000;

    private final FailoverPlanner planner;
    private final boolean automatic;
    private final Duration inhibitWindow;
    private final BiFunction<Duration, Long, InhibitWindows> recentFailovers;
    private final String nodeId;
    private final Clock clock;
    private final Counter automaticFailovers;
    private final Counter manualFailovers;

    private ControllerContext context;
    private InhibitWindows inhibit;
    /** The operator's cluster-wide pause of automatic failover (meridian.regions); manual failover ignores it. */
    private volatile BooleanSupplier automaticPaused = () -> false;
    private boolean pausedLogged;

    /**
     * @param recentFailovers the inhibit windows of failovers that earlier terms executed (window, now → windows)
     */
    public FailoverDuty(FailoverPlanner planner, boolean automatic, Duration inhibitWindow,
                        BiFunction<Duration, Long, InhibitWindows> recentFailovers, String nodeId,
                        MeterRegistry registry, Clock clock) {
        this.planner = planner;
        this.automatic = automatic;
        this.inhibitWindow = inhibitWindow;
        this.recentFailovers = recentFailovers;
        this.nodeId = nodeId;
        this.clock = clock;
        this.inhibit = InhibitWindows.empty(inhibitWindow);
        this.automaticFailovers = Counter.builder(MetricNames.FAILOVER_TOTAL).tag("trigger", "automatic")
                .description("Region failovers executed by this node as controller").register(registry);
        this.manualFailovers = Counter.builder(MetricNames.FAILOVER_TOTAL).tag("trigger", "manual")
                .description("Region failovers executed by this node as controller").register(registry);
    }

    /** Automatic failover waits while {@code paused} says so (the operator's pause); manual failover does not. */
    public void pauseAutomaticWhen(BooleanSupplier paused) {
        this.automaticPaused = paused;
    }

    @Override
    public void onActivated(ControllerContext activated) {
        this.context = activated;
        this.inhibit = recentFailovers.apply(inhibitWindow, clock.millis());
    }

    @Override
    public void tick(long nowMillis) {
        if (!automatic || context == null) {
            return;
        }
        if (automaticPausedByOperator()) {
            return;
        }
        HealthSnapshot health = context.health();
        if (health.regions().values().stream().noneMatch(s -> s.state() == RegionHealth.UNHEALTHY)) {
            return;  // the common case: no need to look at every placement (100,000 of them) each tick
        }
        for (FailoverDecision decision : planner.planAutomaticForUnhealthy(health, context.placements(),
                inhibit, nowMillis, context.epoch())) {
            if (decision instanceof FailoverDecision.Proceed proceed) {
                automaticFailovers.increment();
                execute(proceed.plan().orElseThrow(), nowMillis);
            } else {
                LOG.debug("no failover of region={}: {}", decision.region(), decision.why());
            }
        }
    }

    // The pause guard, on its own: logs once per change, not every tick.
    private boolean automaticPausedByOperator() {
        boolean paused = automaticPaused.getAsBoolean();
        if (paused != pausedLogged) {
            pausedLogged = paused;
            LOG.info("automatic failover {} by the operator", paused ? "paused" : "resumed");
        }
        return paused;
    }

    /**
     * The operator's failover of {@code region}'s tenants to {@code target} (or to the best replica).
     *
     * @throws io.meridian.election.failover.ManualFailoverRejectedException for an unknown region, an invalid
     *                                                                       target, or inside the inhibit window
     */
    FailoverEvent manual(String region, Optional<String> target, boolean force) {
        if (context == null) {
            throw new IllegalStateException("failover duty is not active");
        }
        long now = clock.millis();
        FailoverPlan plan = planner.planManual(region, target, force, context.health(), context.placements(), inhibit,
                now, context.epoch()).orElseThrow();
        manualFailovers.increment();
        return execute(plan, now);
    }

    /**
     * The promoted tenants in transactions of at most {@link #BATCH} (their placements, their fences and the event part
     * listing them, so the log never shows a part whose placements did not commit), the tenants that stayed in the
     * last part. A region's failover thus costs a few commits, whatever its tenant count.
     */
    private FailoverEvent execute(FailoverPlan plan, long startedAt) {
        List<List<TenantFailover>> batches = PlacementPublisher.batches(plan.promoted(), BATCH);
        int parts = Math.max(1, batches.size());
        String reason = "failover-" + plan.trigger().wireName();
        for (int i = 0; i < parts; i++) {
            List<TenantFailover> batch = batches.isEmpty() ? List.of() : batches.get(i);
            List<TenantFailover> listed = new ArrayList<>(batch);
            if (i == parts - 1) {
                listed.addAll(plan.stayed());
            }
            FailoverEvent part = FailoverEvent.part(plan, listed, i + 1, parts, startedAt, clock.millis());
            if (batch.isEmpty()) {
                context.inTransaction(tx -> tx.send(Topics.CONTROLLER, nodeId, Json.toTree(part)));
            } else {
                context.publishPlacements(batch.stream().map(t -> t.newPlacement().orElseThrow()).toList(), reason,
                        fences -> tx -> tx.send(Topics.CONTROLLER, nodeId, Json.toTree(part)));
            }
        }
        FailoverEvent event = FailoverEvent.of(plan, startedAt, clock.millis());
        inhibit = inhibit.withEvent(event);
        LOG.info("failover region={} trigger={} epoch={} promoted={} stayed={} transactions={} took={}ms",
                plan.region(), plan.trigger().wireName(), plan.controllerEpoch(), plan.promoted().size(),
                plan.stayed().size(), parts, event.durationMillis());
        return event;
    }

    @Override
    public void onDeactivated() {
        context = null;
    }

    @Override
    public String toString() {
        return "failover";
    }
}
