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
 * term's committed placements and the health view; the region's tenants move in transactions of up to
 * {@link #TRANSACTION_TENANTS} tenants (their placements, fences and the failover event's parts that list them, of up to
 * {@link #PART_TENANTS} tenants each). Inhibit windows are rebuilt from the controller log when a term starts, so
 * flapping protection survives a hand-over. Runs on the controller's duties thread only.
 */
public final class FailoverDuty implements ControllerDuty {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverDuty.class);

    /**
     * Tenants moved per transaction ({@link PlacementPublisher#MAX_BATCH}): a region's failover costs a transaction
     * per this many tenants, and on a loaded machine each one costs several round trips to the brokers whatever its
     * size (bench scale, 10,000 tenants: ~0.6 s per transaction of 1,000), so few large ones move a region fastest.
     */
    static final int TRANSACTION_TENANTS = PlacementPublisher.MAX_BATCH;

    /**
     * Tenants listed per record of the failover event (about 0.5 KB a tenant with its candidates): keeps each record
     * well below Kafka's 1 MiB limit. A transaction carries the parts that list its tenants.
     */
    static final int PART_TENANTS = 1_000;

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
     * The promoted tenants in transactions of at most {@link #TRANSACTION_TENANTS}: their placements, their fences and
     * the event parts listing them (so the log never shows a part whose placements did not commit); the tenants that
     * stayed are listed in the last part. A region's failover thus costs a few commits, whatever its tenant count.
     */
    private FailoverEvent execute(FailoverPlan plan, long startedAt) {
        List<List<TenantFailover>> transactions = PlacementPublisher.batches(plan.promoted(), TRANSACTION_TENANTS);
        int parts = Math.max(1, (plan.promoted().size() + PART_TENANTS - 1) / PART_TENANTS);
        String reason = "failover-" + plan.trigger().wireName();
        int part = 0;
        for (List<TenantFailover> moved : transactions) {
            List<FailoverEvent> listing = new ArrayList<>();
            for (List<TenantFailover> listed : PlacementPublisher.batches(moved, PART_TENANTS)) {
                part++;
                listing.add(eventPart(plan, listed, part, parts, startedAt));
            }
            context.publishPlacements(moved.stream().map(t -> t.newPlacement().orElseThrow()).toList(), reason,
                    fences -> tx -> listing.forEach(p -> tx.send(Topics.CONTROLLER, nodeId, Json.toTree(p))));
        }
        if (transactions.isEmpty()) {
            FailoverEvent only = eventPart(plan, List.of(), 1, 1, startedAt);
            context.inTransaction(tx -> tx.send(Topics.CONTROLLER, nodeId, Json.toTree(only)));
        }
        FailoverEvent event = FailoverEvent.of(plan, startedAt, clock.millis());
        inhibit = inhibit.withEvent(event);
        LOG.info("failover region={} trigger={} epoch={} promoted={} stayed={} transactions={} parts={} took={}ms",
                plan.region(), plan.trigger().wireName(), plan.controllerEpoch(), plan.promoted().size(),
                plan.stayed().size(), Math.max(1, transactions.size()), parts, event.durationMillis());
        return event;
    }

    /** Part {@code part} of {@code parts}; the last one also lists the tenants that stayed. */
    private FailoverEvent eventPart(FailoverPlan plan, List<TenantFailover> moved, int part, int parts,
                                    long startedAt) {
        List<TenantFailover> listed = new ArrayList<>(moved);
        if (part == parts) {
            listed.addAll(plan.stayed());
        }
        return FailoverEvent.part(plan, listed, part, parts, startedAt, clock.millis());
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
