package io.meridian.election.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerProducer;
import io.meridian.election.ControllerTransaction;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeadershipListener;
import io.meridian.election.failover.FailoverDecision;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverPlan;
import io.meridian.election.failover.FailoverPlanner;
import io.meridian.election.failover.FailoverPolicy;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.failover.TenantFailover;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.HeartbeatService;
import io.meridian.election.health.RegionHealthChange;
import io.meridian.election.health.RegionHealthEvent;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller duties of a node, active while its {@link LeaderElector} says it leads: placement changes, region
 * health events and failover (automatic and manual). Every write goes through one {@link ControllerProducer} opened
 * for the term, whose fixed transactional id fences every earlier controller inside Kafka; a fenced controller stops
 * at once. All duties run in order on one thread ("meridian-controller"). Thread-safe; {@link #close} idempotent.
 */
public final class Controller implements ControlPlane, LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Before a term that still leads reopens a broken or fenced producer. Long enough for an elector to notice that
     * a newer controller was elected (then the term ends instead), short next to a failover's budget.
     */
    private static final Duration REOPEN_BACKOFF = Duration.ofSeconds(2);

    private final MeridianConfig config;
    private final LeaderElector elector;
    private final HeartbeatService heartbeats;
    private final Clock clock;
    private final HybridLogicalClock hlc;
    private final FailoverPlanner planner;
    private final boolean automaticFailover;
    private final ScheduledExecutorService duties;
    private final Counter automaticFailovers;
    private final Counter manualFailovers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<ControllerDuty> extraDuties = new CopyOnWriteArrayList<>();
    private final ToIntFunction<String> walPartition;

    // Touched only on the duties thread.
    private ControllerProducer producer;
    private volatile PlacementLedger ledger = PlacementLedger.empty();  // read by admin threads too
    private ScheduledFuture<?> failoverCheck;
    private InhibitWindows inhibit;

    public Controller(MeridianConfig config, LeaderElector elector, HeartbeatService heartbeats,
                      MeterRegistry registry, Clock clock) {
        this.config = config;
        this.elector = elector;
        this.heartbeats = heartbeats;
        this.clock = clock;
        this.hlc = new HybridLogicalClock(clock);
        FailoverPolicy policy = failoverPolicy(config);
        int partitions = config.walPartitions();
        // The producer's default partitioner: the tenant's WAL partition, to compare regions' applied positions.
        this.walPartition = tenant -> WalPartitioner.partitionOf(tenant, partitions);
        this.planner = new FailoverPlanner(policy, walPartition);
        this.inhibit = InhibitWindows.empty(policy.inhibitWindow());
        this.automaticFailover = config.getBoolean(MeridianConfig.FAILOVER_ENABLED);
        this.duties = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "meridian-controller");
            thread.setDaemon(true);
            return thread;
        });
        Gauge.builder(MetricNames.CONTROLLER_LEADER, elector, e -> e.isLeader() ? 1 : 0)
                .description("1 on the node that is the controller").register(registry);
        Gauge.builder(MetricNames.CONTROLLER_EPOCH, elector, LeaderElector::epoch)
                .description("The controller epoch this node knows").register(registry);
        this.automaticFailovers = Counter.builder(MetricNames.FAILOVER_TOTAL).tag("trigger", "automatic")
                .description("Region failovers executed by this node as controller").register(registry);
        this.manualFailovers = Counter.builder(MetricNames.FAILOVER_TOTAL).tag("trigger", "manual")
                .description("Region failovers executed by this node as controller").register(registry);
    }

    public static FailoverPolicy failoverPolicy(MeridianConfig config) {
        FailoverPolicy policy = FailoverPolicy.defaults(
                        Duration.ofMillis(config.getLong(MeridianConfig.FAILOVER_LEADER_TIMEOUT_MS)))
                .withInhibitWindow(Duration.ofMillis(config.getLong(MeridianConfig.FAILOVER_INHIBIT_WINDOW_MS)))
                .withPriorities(config.regionPriorities());
        int quorum = config.getInt(MeridianConfig.FAILOVER_QUORUM);
        return quorum > 0 ? policy.withQuorum(quorum) : policy;
    }

    /** Adds a duty that runs while this node is the controller (before {@link #start}). */
    public void addDuty(ControllerDuty duty) {
        extraDuties.add(duty);
    }

    /** Joins the election; controller duties start when this node is elected. */
    public void start() {
        elector.addListener(this);
        heartbeats.addChangeListener(this::onHealthChange);
        elector.start();
    }

    @Override
    public void onElected(long epoch) {
        duties.execute(() -> takeOver(epoch));
    }

    @Override
    public void onDeposed(long epoch, String reason) {
        duties.execute(() -> stepDown("deposed: " + reason));
    }

    private void takeOver(long epoch) {
        if (closed.get() || !elector.isLeader() || elector.epoch() != epoch) {
            return;  // already superseded while this task waited
        }
        try {
            producer = ControllerProducer.forLeader(elector, config.kafkaClientProperties(),
                    ControllerProducer.DEFAULT_TRANSACTIONAL_ID, WRITE_TIMEOUT,
                    (fencedEpoch, cause) -> duties.execute(() -> restartTerm("fenced in Kafka at epoch " + fencedEpoch)));
            // After initTransactions no earlier controller can commit: the ledger read now is the whole truth.
            ledger = PlacementLedger.read(config.kafkaClientProperties(), "meridian-controller-ledger-"
                    + config.nodeId(), WRITE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.error("controller epoch={} could not open its producer or read its placements; retrying in {} ms",
                    epoch, REOPEN_BACKOFF.toMillis(), e);
            closeProducer();
            duties.schedule(() -> takeOver(epoch), REOPEN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        inhibit = ControllerLog.recentFailovers(config, inhibit.window(), clock.millis());
        publishEvent(Map.of("type", "leadership", "node", config.nodeId(), "region", config.region(),
                "epoch", epoch, "timestamp", clock.millis()));
        ControllerContext context = new Context(producer);
        for (ControllerDuty duty : extraDuties) {
            duty.onActivated(context);
        }
        long interval = heartbeats.interval().toMillis();
        failoverCheck = duties.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
        LOG.info("controller active node={} epoch={} placements={} inhibit={}", config.nodeId(), epoch,
                ledger.all().size(), inhibit);
    }

    /**
     * The term's producer broke (a commit whose outcome is unknown, a coordinator lost past the transaction timeout)
     * or a zombie's {@code initTransactions} fenced it. A node that still leads in the same epoch opens a new producer
     * (fencing the zombie back) and re-reads what is committed, so it neither sits elected with a dead producer nor
     * plans from a ledger that may be wrong; a node that no longer leads just stops.
     */
    private void restartTerm(String reason) {
        long epoch = producer == null ? elector.epoch() : producer.epoch();
        stepDown(reason);
        if (!closed.get() && elector.isLeader() && elector.epoch() == epoch) {
            LOG.warn("controller epoch={} reopens its producer in {} ms and re-reads its placements: {}", epoch,
                    REOPEN_BACKOFF.toMillis(), reason);
            duties.schedule(() -> takeOver(epoch), REOPEN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
        ledger = PlacementLedger.empty();
    }

    private void stepDown(String reason) {
        if (producer != null) {
            for (ControllerDuty duty : extraDuties) {
                try {
                    duty.onDeactivated();
                } catch (RuntimeException e) {
                    LOG.warn("duty {} failed to deactivate", duty, e);
                }
            }
        }
        if (failoverCheck != null) {
            failoverCheck.cancel(false);
            failoverCheck = null;
        }
        if (producer != null) {
            LOG.warn("controller stepping down node={} epoch={}: {}", config.nodeId(), producer.epoch(), reason);
        }
        closeProducer();
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
        return heartbeats.snapshot();
    }

    @Override
    public Optional<Placement> committedPlacement(String tenant) {
        return elector.isLeader() ? ledger.get(tenant) : Optional.empty();
    }

    @Override
    public Position changePlacement(Placement placement, String reason) {
        return onDuties(() -> {
            RecordMetadata fence = publish(placement, reason, null);
            return new Position(fence.partition(), fence.offset());
        });
    }

    @Override
    public FailoverEvent failover(String region, Optional<String> target, boolean force) {
        return onDuties(() -> {
            long now = clock.millis();
            FailoverPlan plan = planner.planManual(region, target, force, heartbeats.snapshot(),
                    List.copyOf(ledger.all()), inhibit, now, requireProducer().epoch()).orElseThrow();
            manualFailovers.increment();
            return execute(plan, now);
        });
    }

    private void tick() {
        checkFailover();
        long now = clock.millis();
        for (ControllerDuty duty : extraDuties) {
            if (producer == null) {
                return;
            }
            try {
                duty.tick(now);
            } catch (ControllerFencedException e) {
                restartTerm("fenced during " + duty);
                return;
            } catch (ControllerWriteException e) {
                restartTerm(duty + " could not commit: " + e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.error("controller duty {} failed; retrying next interval", duty, e);
            }
        }
    }

    private void checkFailover() {
        if (!automaticFailover || producer == null) {
            return;
        }
        try {
            long now = clock.millis();
            for (FailoverDecision decision : planner.planAutomaticForUnhealthy(heartbeats.snapshot(),
                    List.copyOf(ledger.all()), inhibit, now, producer.epoch())) {
                if (decision instanceof FailoverDecision.Proceed proceed) {
                    automaticFailovers.increment();
                    execute(proceed.plan().orElseThrow(), now);
                } else {
                    LOG.debug("no failover of region={}: {}", decision.region(), decision.why());
                }
            }
        } catch (ControllerFencedException e) {
            restartTerm("fenced during a failover check");
        } catch (ControllerWriteException e) {
            restartTerm("a failover transaction failed: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("failover check failed; retrying next interval", e);
        }
    }

    /** One transaction per tenant (placement + fence + that tenant's failover event), then the summary event. */
    private FailoverEvent execute(FailoverPlan plan, long startedAt) {
        for (TenantFailover tenant : plan.promoted()) {
            FailoverPlan single = new FailoverPlan(plan.trigger(), plan.region(), plan.target(), plan.forced(),
                    plan.observers(), plan.controllerEpoch(), plan.plannedAtMillis(), List.of(tenant));
            publish(tenant.newPlacement().orElseThrow(), "failover-" + plan.trigger().wireName(),
                    FailoverEvent.of(single, startedAt, clock.millis()));
        }
        FailoverEvent event = FailoverEvent.of(plan, startedAt, clock.millis());
        publishEvent(event);
        inhibit = inhibit.withEvent(event);
        LOG.info("failover region={} trigger={} epoch={} promoted={} stayed={} took={}ms", plan.region(),
                plan.trigger().wireName(), plan.controllerEpoch(), plan.promoted().size(), plan.stayed().size(),
                event.durationMillis());
        return event;
    }

    private void onHealthChange(RegionHealthChange change) {
        duties.execute(() -> {
            if (producer != null) {
                try {
                    publishEvent(RegionHealthEvent.of(change, producer.epoch()));
                } catch (RuntimeException e) {
                    LOG.warn("could not publish the health change of region={}: {}", change.region(), e.toString());
                }
            }
        });
    }

    /** Placement + fence (+ an event on meridian.controller) in one transaction of this term's producer. */
    private RecordMetadata publish(Placement placement, String reason, Object event) {
        return publish(requireProducer(), placement, reason, fence -> tx -> {
            if (event != null) {
                tx.send(Topics.CONTROLLER, placement.tenant(), Json.toTree(event));
            }
        });
    }

    /**
     * Placement + fence + whatever {@code alsoWrite} adds, in one transaction. The fence's send is awaited inside the
     * transaction (the broker has it, uncommitted), so the records that follow can name its position.
     */
    private RecordMetadata publish(ControllerProducer writer, Placement placement, String reason,
                                   Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
        ledger.checkNext(placement);
        WalRecord.Fence fence = new WalRecord.Fence(placement.tenant(), placement, writer.epoch(), reason, hlc.now());
        RecordMetadata[] fenceAt = new RecordMetadata[1];
        writer.inTransaction(tx -> {
            tx.send(Topics.PLACEMENTS, placement.tenant(), placement);
            fenceAt[0] = await(tx.send(Topics.WAL, placement.tenant(), fence));
            alsoWrite.apply(new Position(fenceAt[0].partition(), fenceAt[0].offset())).accept(tx);
        });
        ledger.committed(placement);
        RecordMetadata metadata = fenceAt[0];
        LOG.info("placement published tenant={} epoch={} primary={} writes={} reason={} fence={}:{} controllerEpoch={}",
                placement.tenant(), placement.epoch(), placement.primary(), placement.writes().wireName(), reason,
                metadata.partition(), metadata.offset(), writer.epoch());
        return metadata;
    }

    /** What duties see of this controller term. */
    private final class Context implements ControllerContext {
        private final ControllerProducer writer;

        Context(ControllerProducer writer) {
            this.writer = writer;
        }

        @Override
        public long epoch() {
            return writer.epoch();
        }

        @Override
        public List<Placement> placements() {
            return List.copyOf(ledger.all());
        }

        @Override
        public Optional<Placement> placement(String tenant) {
            return ledger.get(tenant);
        }

        @Override
        public HealthSnapshot health() {
            return heartbeats.snapshot();
        }

        @Override
        public int walPartition(String tenant) {
            return walPartition.applyAsInt(tenant);
        }

        @Override
        public Position publishPlacement(Placement placement, String reason,
                                         Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
            RecordMetadata fence = publish(writer, placement, reason, alsoWrite);
            return new Position(fence.partition(), fence.offset());
        }

        @Override
        public void inTransaction(Consumer<ControllerTransaction> body) {
            writer.inTransaction(body);
        }

        @Override
        public void runSoon(Runnable task) {
            duties.execute(() -> {
                if (producer == writer) {  // still this term
                    task.run();
                }
            });
        }
    }

    private void publishEvent(Object event) {
        JsonNode json = Json.toTree(event);
        requireProducer().inTransaction(tx -> tx.send(Topics.CONTROLLER, config.nodeId(), json));
    }

    private ControllerProducer requireProducer() {
        if (producer == null) {
            throw new NotControllerException("node " + config.nodeId() + " is not the controller"
                    + controllerUrl().map(url -> " (the controller is at " + url + ")").orElse(""));
        }
        return producer;
    }

    /** Runs a controller operation on the duties thread, in order with failover checks, and waits for it. */
    private <T> T onDuties(java.util.concurrent.Callable<T> operation) {
        if (!elector.isLeader()) {
            throw new NotControllerException("node " + config.nodeId() + " is not the controller");
        }
        Future<T> result = duties.submit(operation);
        try {
            return result.get(WRITE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ControllerWriteException broken) {
                duties.execute(() -> restartTerm("an admin change could not commit: " + broken.getMessage()));
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

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the committed fence has no metadata: " + e, e);
        }
    }

    /** Leaves the election (handing leadership over at once) and stops the duties. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        elector.removeListener(this);
        elector.close();
        Future<?> stopped = duties.submit(() -> stepDown("node shutting down"));
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
