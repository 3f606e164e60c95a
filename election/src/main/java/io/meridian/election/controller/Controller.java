package io.meridian.election.controller;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeadershipListener;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverPlanner;
import io.meridian.election.failover.FailoverPolicy;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.HealthView;
import io.meridian.election.health.RegionHealthChange;
import io.meridian.election.health.RegionHealthEvent;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.WalPartitioner;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts this node's controller term: while its {@link LeaderElector} says it leads, it opens the term
 * ({@link TermOpener}: a writer that fences every earlier controller, and the placements committed so far), runs the
 * duties ({@link FailoverDuty} and any added, e.g. migrations) every heartbeat interval, and serves the controller's
 * operations. Everything runs in order on one thread ("meridian-controller"). The term's state is explicit
 * ({@link TermState}); a term whose writer breaks or is fenced while it still leads reopens it after a backoff instead
 * of sitting elected with a dead writer. Thread-safe; {@link #close} idempotent.
 */
public final class Controller implements ControlPlane, LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Before a term that still leads reopens a broken or fenced writer. Long enough for an elector to notice that a
     * newer controller was elected (then the term ends instead), short next to a failover's budget.
     */
    static final Duration REOPEN_BACKOFF = Duration.ofSeconds(2);

    private final String nodeId;
    private final String region;
    private final LeaderElector elector;
    private final HealthView health;
    private final TermOpener opener;
    private final FailoverDuty failover;
    private final ToIntFunction<String> walPartition;
    private final Clock clock;
    private final ScheduledExecutorService duties = NamedThreads.singleThread("meridian-controller");
    private final List<ControllerDuty> allDuties = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    // Changed on the duties thread only; read by other threads for answers and metrics.
    private volatile TermState state = TermState.STANDBY;
    private volatile PlacementPublisher publisher;
    private ScheduledFuture<?> ticks;

    /**
     * @param walPartition the WAL partition of a tenant (the producers' partitioner)
     */
    public Controller(String nodeId, String region, LeaderElector elector, HealthView health, TermOpener opener,
                      FailoverDuty failover, ToIntFunction<String> walPartition, MeterRegistry registry, Clock clock) {
        this.nodeId = nodeId;
        this.region = region;
        this.elector = elector;
        this.health = health;
        this.opener = opener;
        this.failover = failover;
        this.walPartition = walPartition;
        this.clock = clock;
        allDuties.add(failover);
        Gauge.builder(MetricNames.CONTROLLER_LEADER, elector, e -> e.isLeader() ? 1 : 0)
                .description("1 on the node that is the controller").register(registry);
        Gauge.builder(MetricNames.CONTROLLER_EPOCH, elector, LeaderElector::epoch)
                .description("The controller epoch this node knows").register(registry);
    }

    /** The controller of a node as configured: Kafka-backed terms, failover by the configured policy. */
    public static Controller create(MeridianConfig config, LeaderElector elector, HealthView health,
                                    MeterRegistry registry, Clock clock) {
        int partitions = config.walPartitions();
        ToIntFunction<String> walPartition = tenant -> WalPartitioner.partitionOf(tenant, partitions);
        FailoverPolicy policy = failoverPolicy(config);
        FailoverDuty failover = new FailoverDuty(new FailoverPlanner(policy, walPartition),
                config.getBoolean(ControllerConfigs.FAILOVER_ENABLED), policy.inhibitWindow(),
                (window, now) -> ControllerLog.recentFailovers(config, window, now), config.nodeId(), registry, clock);
        TermOpener opener = TermOpener.kafka(config, elector, new HybridLogicalClock(clock), WRITE_TIMEOUT);
        return new Controller(config.nodeId(), config.region(), elector, health, opener, failover, walPartition,
                registry, clock);
    }

    public static FailoverPolicy failoverPolicy(MeridianConfig config) {
        FailoverPolicy policy = FailoverPolicy.defaults(
                        Duration.ofMillis(config.getLong(ControllerConfigs.FAILOVER_LEADER_TIMEOUT_MS)))
                .withInhibitWindow(Duration.ofMillis(config.getLong(ControllerConfigs.FAILOVER_INHIBIT_WINDOW_MS)))
                .withPriorities(config.regionPriorities());
        int quorum = config.getInt(ControllerConfigs.FAILOVER_QUORUM);
        return quorum > 0 ? policy.withQuorum(quorum) : policy;
    }

    /**
     * Automatic failover waits while {@code paused} says so: the operator's cluster-wide pause, read from
     * {@code meridian.regions} by every node. Manual failover is not affected.
     */
    public void pauseAutomaticFailoverWhen(java.util.function.BooleanSupplier paused) {
        failover.pauseAutomaticWhen(paused);
    }

    /** Adds a duty that runs while this node is the controller (before {@link #start}). */
    public void addDuty(ControllerDuty duty) {
        allDuties.add(duty);
    }

    /** Joins the election; the term opens when this node is elected. */
    public void start() {
        elector.addListener(this);
        health.addChangeListener(this::onHealthChange);
        elector.start();
    }

    /** The term's state, for operators and tests. */
    public TermState termState() {
        return state;
    }

    @Override
    public void onElected(long epoch) {
        duties.execute(() -> open(epoch));
    }

    @Override
    public void onDeposed(long epoch, String reason) {
        duties.execute(() -> end(TermState.STANDBY, "deposed: " + reason));
    }

    private void open(long epoch) {
        if (state == TermState.ACTIVE && publisher != null && publisher.epoch() != epoch) {
            end(TermState.STANDBY, "elected again in epoch " + epoch);
        }
        if (state == TermState.CLOSED || state == TermState.ACTIVE || !leads(epoch)) {
            return;  // superseded while this task waited, or already open
        }
        state = state.transitionTo(TermState.OPENING);
        try {
            publisher = opener.open(epoch, () -> duties.execute(() -> reopen("fenced in Kafka at epoch " + epoch)));
        } catch (RuntimeException e) {
            LOG.error("controller epoch={} could not open its term; retrying in {} ms", epoch,
                    REOPEN_BACKOFF.toMillis(), e);
            state = state.transitionTo(TermState.REOPENING);
            duties.schedule(() -> open(epoch), REOPEN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        try {
            publisher.publishEvent(nodeId, Map.of("type", "leadership", "node", nodeId, "region", region,
                    "epoch", epoch, "timestamp", clock.millis()));
            PlacementPublisher term = publisher;
            ControllerContext context = new TermContext(term, health, walPartition,
                    task -> duties.execute(() -> {
                        if (publisher == term) {  // still this term
                            task.run();
                        }
                    }));
            allDuties.forEach(duty -> duty.onActivated(context));
        } catch (RuntimeException e) {
            // Fenced, not committed, or a duty that could not start: never stay half-open.
            LOG.error("controller epoch={} could not activate its term", epoch, e);
            reopen("opening the term failed: " + e);
            return;
        }
        state = state.transitionTo(TermState.ACTIVE);
        long interval = health.interval().toMillis();
        ticks = duties.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
        LOG.info("controller active node={} epoch={} placements={}", nodeId, epoch, publisher.placements().size());
    }

    /**
     * The term's writer broke (a commit whose outcome is unknown, a coordinator lost past the transaction timeout) or
     * a zombie's initialization fenced it. A node that still leads opens a new one (fencing the zombie back) and
     * re-reads what is committed; a node that no longer leads just stops.
     */
    private void reopen(String reason) {
        if (state != TermState.ACTIVE && state != TermState.OPENING) {
            return;
        }
        long epoch = publisher == null ? elector.epoch() : publisher.epoch();
        end(TermState.REOPENING, reason);
        if (leads(epoch)) {
            LOG.warn("controller epoch={} reopens its term in {} ms: {}", epoch, REOPEN_BACKOFF.toMillis(), reason);
            duties.schedule(() -> open(epoch), REOPEN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            state = state.transitionTo(TermState.STANDBY);
        }
    }

    /** Stops the duties and closes the writer; the term moves to {@code next}. */
    private void end(TermState next, String reason) {
        if (state == TermState.CLOSED || state == next) {
            return;
        }
        if (state == TermState.ACTIVE || state == TermState.OPENING) {
            for (ControllerDuty duty : allDuties) {
                try {
                    duty.onDeactivated();
                } catch (RuntimeException e) {
                    LOG.warn("duty {} failed to deactivate", duty, e);
                }
            }
        }
        if (ticks != null) {
            ticks.cancel(false);
            ticks = null;
        }
        if (publisher != null) {
            LOG.warn("controller term ends node={} epoch={} next={}: {}", nodeId, publisher.epoch(), next, reason);
            publisher.close();
            publisher = null;
        }
        state = state.transitionTo(next);
    }

    private boolean leads(long epoch) {
        return elector.isLeader() && elector.epoch() == epoch;
    }

    private void tick() {
        long now = clock.millis();
        for (ControllerDuty duty : allDuties) {
            if (state != TermState.ACTIVE) {
                return;
            }
            try {
                duty.tick(now);
            } catch (ControllerFencedException | ControllerWriteException e) {
                reopen(duty + " could not commit: " + e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.error("controller duty {} failed; retrying next interval", duty, e);
            }
        }
    }

    private void onHealthChange(RegionHealthChange change) {
        duties.execute(() -> {
            PlacementPublisher term = publisher;
            if (state == TermState.ACTIVE && term != null) {
                try {
                    term.publishEvent(nodeId, RegionHealthEvent.of(change, term.epoch()));
                } catch (RuntimeException e) {
                    LOG.warn("could not publish the health change of region={}: {}", change.region(), e.toString());
                }
            }
        });
    }

    @Override
    public ElectionSnapshot election() {
        return elector.snapshot();
    }

    @Override
    public boolean hasQuorum() {
        return elector.hasQuorum();
    }

    @Override
    public boolean isController() {
        return elector.isLeader();
    }

    @Override
    public Optional<URI> controllerUrl() {
        return elector.leader().map(c -> URI.create(c.url()));
    }

    @Override
    public HealthSnapshot health() {
        return health.snapshot();
    }

    @Override
    public Optional<Placement> committedPlacement(String tenant) {
        PlacementPublisher term = publisher;
        return elector.isLeader() && term != null ? term.placement(tenant) : Optional.empty();
    }

    @Override
    public Position changePlacement(Placement placement, String reason) {
        return onDuties(() -> requirePublisher().publish(placement, reason));
    }

    @Override
    public List<Position> changePlacements(List<Placement> placements, String reason) {
        PlacementPublisher.checkBatch(placements);
        return onDuties(() -> requirePublisher().publishAll(placements, reason, fences -> tx -> { }));
    }

    @Override
    public FailoverEvent failover(String region, Optional<String> target, boolean force) {
        return onDuties(() -> {
            requirePublisher();
            return failover.manual(region, target, force);
        });
    }

    private PlacementPublisher requirePublisher() {
        PlacementPublisher term = publisher;
        if (state != TermState.ACTIVE || term == null) {
            throw new NotControllerException("node " + nodeId + " is not the controller (term " + state + ")"
                    + controllerUrl().map(url -> "; the controller is at " + url).orElse(""));
        }
        return term;
    }

    /** Runs a controller operation on the duties thread, in order with the duties, and waits for it. */
    private <T> T onDuties(Callable<T> operation) {
        if (!elector.isLeader()) {
            throw new NotControllerException("node " + nodeId + " is not the controller");
        }
        Future<T> result = duties.submit(operation);
        try {
            return result.get(WRITE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ControllerWriteException broken) {
                duties.execute(() -> reopen("an admin change could not commit: " + broken.getMessage()));
            }
            if (e.getCause() instanceof ControllerFencedException fenced) {
                throw new NotControllerException("this controller was fenced: " + fenced.getMessage());
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            throw new IllegalStateException("interrupted while waiting for the controller", e);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new IllegalStateException("the controller did not finish within " + WRITE_TIMEOUT.toSeconds() * 2
                    + " s", e);
        }
    }

    /** Leaves the election (handing leadership over at once) and ends the term. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        elector.removeListener(this);
        elector.close();
        Future<?> stopped = duties.submit(() -> end(TermState.CLOSED, "node shutting down"));
        try {
            stopped.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("controller did not stop cleanly: {}", e.toString());
        }
        duties.shutdownNow();
    }
}
