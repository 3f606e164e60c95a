package io.meridian.migration;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.controller.ControllerDuty;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.infra.topics.Topics;
import io.meridian.migration.internal.FailbackBook;
import io.meridian.migration.internal.FailbackLog;
import io.meridian.migration.internal.KafkaFailbackLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failback as a controller duty: after an automatic failover moved a tenant away from its {@code preferred_primary},
 * it moves the tenant back once {@link FailbackPolicy} allows (the region healthy for {@code failback.after.ms},
 * outside its inhibit window, caught up, at most {@code failback.max.per.region} at a time), through the migration
 * executor's normal path (pause, drain, switch): it starts a migration and follows it, and writes nothing else but
 * its {@link MigrationEvent.Failback} events to {@code meridian.migrations}.
 *
 * <pre>
 *   automatic failover away ─▶ pending ─▶ started (a migration) ─▶ completed
 *                                 │  ▲          │
 *                                 │  └──────────┴─▶ rolled_back (the migration failed; retried after failback.after.ms)
 *                                 └─────────────────▶ cancelled (by an operator; also stops a running migration)
 * </pre>
 *
 * <p>What it knows is rebuilt from the log when a term starts ({@link FailbackLog}: the failover events of
 * {@code meridian.controller}, the failback events of {@code meridian.migrations}), so a cancel survives a controller
 * change, and the inhibit windows are those of every failover in the log. Register with {@code Controller.addDuty}
 * after the {@link MigrationExecutor}.
 *
 * <p><b>Threading.</b> All work runs on the controller's duties thread. {@link #pending} answers from a snapshot made
 * every tick; {@link #trigger} and {@link #cancel} are handed to the duties thread and waited for.
 */
public final class FailbackDuty implements ControllerDuty, Failbacks {
    private static final Logger LOG = LoggerFactory.getLogger(FailbackDuty.class);
    private static final long REBUILD_BACKOFF_MS = 10_000;
    static final String AUTOMATIC = "controller (automatic failback)";

    private final FailbackSettings settings;
    private final FailbackPolicy policy;
    private final Migrations migrations;
    private final Supplier<? extends FailbackLog> logs;
    private final Clock clock;
    private final Counter started;
    private final Counter completed;
    private final Counter rolledBack;
    private final Set<CompletableFuture<?>> waiting = ConcurrentHashMap.newKeySet();

    // The term's state: changed on the duties thread only.
    private volatile ControllerContext context;
    private volatile Thread dutiesThread;
    private volatile boolean ready;
    private volatile Map<String, Failback> snapshot = Map.of();
    private FailbackLog log;
    private FailbackBook book;
    private InhibitWindows inhibit;
    private long nextRebuildAt;
    private final Set<MigrationEvent.Failback> ownWrites = new HashSet<>();
    /** Tenant → why the executor last refused its failback: logged when it changes, not every tick. */
    private final Map<String, String> refusals = new HashMap<>();
    /** This tick's dry runs of the failbacks the policy got to the lag check with. */
    private final Map<String, MigrationPlan> plans = new HashMap<>();

    /** The duty of a node: reads Kafka with the node's client properties. */
    public FailbackDuty(MeridianConfig config, Migrations migrations, MeterRegistry registry, Clock clock) {
        this(FailbackSettings.from(config), migrations,
                () -> new KafkaFailbackLog(config.kafkaClientProperties(), Duration.ofSeconds(30)), registry, clock);
    }

    /**
     * @param migrations the migration executor the failbacks run through
     * @param logs       opens what the duty reads from Kafka, once per controller term
     */
    public FailbackDuty(FailbackSettings settings, Migrations migrations, Supplier<? extends FailbackLog> logs,
                        MeterRegistry registry, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.policy = new FailbackPolicy(settings);
        this.migrations = Objects.requireNonNull(migrations, "migrations");
        this.logs = Objects.requireNonNull(logs, "logs");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.started = counter(registry, "started");
        this.completed = counter(registry, "completed");
        this.rolledBack = counter(registry, "rolled_back");
        Gauge.builder(MetricNames.FAILBACK_PENDING, this, d -> d.context == null ? 0 : d.snapshot.size())
                .description("Tenants waiting for, or in, a failback to their preferred primary (on the controller)")
                .strongReference(true).register(registry);
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder(MetricNames.FAILBACK_TOTAL).tag(MetricNames.TAG_OUTCOME, outcome)
                .description("Failbacks to a preferred primary: started, completed, rolled back").register(registry);
    }

    // ---- ControllerDuty (duties thread) ----

    @Override
    public void onActivated(ControllerContext activated) {
        dutiesThread = Thread.currentThread();
        closeLog();
        context = activated;
        ready = false;
        nextRebuildAt = 0;
        snapshot = Map.of();
        LOG.info("failback duty active controllerEpoch={} automatic={} afterMs={} maxPerRegion={}", activated.epoch(),
                settings.automatic(), settings.after().toMillis(), settings.maxPerRegion());
    }

    @Override
    public void tick(long nowMillis) {
        dutiesThread = Thread.currentThread();
        if (context == null || !catchUp(nowMillis)) {
            return;
        }
        settleRuns(nowMillis);
        List<FailbackPolicy.Candidate> candidates = book.candidates(context::placement);
        announce(candidates, nowMillis);
        plans.clear();
        Map<String, Integer> running = new HashMap<>();
        book.runs().values().forEach(r -> running.merge(r.toRegion(), 1, Integer::sum));
        List<FailbackPolicy.Decision> decisions = policy.decide(candidates, context.health(), inhibit, running,
                nowMillis, this::lag);
        Map<String, Failback> next = new TreeMap<>();
        for (FailbackPolicy.Decision d : decisions) {
            MigrationPlan plan = plans.get(d.tenant());
            if (d.start() && plan != null && !plan.valid()) {
                // The executor would refuse it (another migration runs, the target needs a reseed, ...): wait.
                next.put(d.tenant(), view(d.candidate(), d.eligibleAt(), "the migration would be refused now ["
                        + plan.errorCode() + "]: " + plan.problem()));
                continue;
            }
            if (d.start()) {
                try {
                    start(d.candidate(), AUTOMATIC, d.reason(), nowMillis);
                } catch (MigrationException | NotControllerException e) {
                    if (!e.getMessage().equals(refusals.put(d.tenant(), e.getMessage()))) {  // once per reason
                        LOG.info("failback not started tenant={} to={} failoverEpoch={}: {}", d.tenant(),
                                d.candidate().toRegion(), d.candidate().failoverEpoch(), e.getMessage());
                    }
                    next.put(d.tenant(), view(d.candidate(), d.eligibleAt(), "the migration was refused: "
                            + e.getMessage()));
                    continue;
                }
            }
            next.put(d.tenant(), book.run(d.tenant()).map(r -> running(r, d.candidate().failedOverAt()))
                    .orElse(view(d.candidate(), d.eligibleAt(), d.reason())));
        }
        snapshot = next;
    }

    /** Rebuilds from the log on the first tick of a term (retried after a failure), then reads what is new. */
    private boolean catchUp(long now) {
        if (!ready) {
            if (now < nextRebuildAt) {
                return false;
            }
            book = new FailbackBook();
            inhibit = InhibitWindows.empty(settings.inhibitWindow());
            ownWrites.clear();
            refusals.clear();
            try {
                log = logs.get();
            } catch (RuntimeException e) {
                nextRebuildAt = now + REBUILD_BACKOFF_MS;
                LOG.error("cannot open the failback log; retrying in {} ms: {}", REBUILD_BACKOFF_MS, e.toString());
                return false;
            }
        }
        FailbackLog.Batch batch;
        try {
            batch = log.read();
        } catch (RuntimeException e) {
            LOG.error("cannot read the failback log controllerEpoch={}; {}: {}", context.epoch(),
                    ready ? "retrying next tick" : "rebuilding in " + REBUILD_BACKOFF_MS + " ms", e.toString());
            if (!ready) {
                closeLog();
                nextRebuildAt = now + REBUILD_BACKOFF_MS;
            }
            return false;
        }
        for (FailoverEvent failover : batch.failovers()) {
            book.onFailover(failover);
            inhibit = inhibit.withEvent(failover);
        }
        for (MigrationEvent.Failback event : batch.failbacks()) {
            if (!ownWrites.remove(event)) {  // this term's own events were folded when they committed
                book.onFailback(event, settings.after().toMillis());
            }
        }
        if (!ready) {
            ready = true;
            LOG.info("failbacks rebuilt from the log controllerEpoch={} failovers={} failbackEvents={} running={}",
                    context.epoch(), batch.failovers().size(), batch.failbacks().size(), book.runs().size());
        }
        return true;
    }

    /** Failback migrations that ended since the last tick: completed, or rolled back. */
    private void settleRuns(long now) {
        for (FailbackBook.Run run : book.runs().values().stream()
                .sorted(Comparator.comparing(FailbackBook.Run::migrationId)).toList()) {
            Optional<Migration> m;
            try {
                m = migrations.get(run.migrationId());
            } catch (NotControllerException | MigrationsUnavailableException e) {
                return;  // the executor is not ready yet: next tick
            }
            if (m.isEmpty()) {
                // The executor's log no longer holds it (expired by retention): the failback cannot be followed.
                write(event(run.migrationId(), run.tenant(), MigrationEvent.Failback.ROLLED_BACK, run.fromRegion(),
                        run.toRegion(), run.failoverEpoch(), AUTOMATIC, "migration " + run.migrationId()
                                + " is unknown to the migration executor; retrying after "
                                + settings.after().toMillis() + " ms", now));
                rolledBack.increment();
                continue;
            }
            if (m.get().active()) {
                continue;
            }
            String tenant = m.get().tenant();
            if (m.get().state() == MigrationState.COMPLETED) {
                write(event(run.migrationId(), tenant, MigrationEvent.Failback.COMPLETED, run.fromRegion(),
                        run.toRegion(), run.failoverEpoch(), AUTOMATIC, "migration " + run.migrationId()
                                + " completed: '" + run.toRegion() + "' is the primary again", now));
                completed.increment();
            } else {
                write(event(run.migrationId(), tenant, MigrationEvent.Failback.ROLLED_BACK, run.fromRegion(),
                        run.toRegion(), run.failoverEpoch(), AUTOMATIC, "migration " + run.migrationId() + " ended "
                                + m.get().state().wireName() + " (" + m.get().reason() + "); retrying after "
                                + settings.after().toMillis() + " ms", now));
                rolledBack.increment();
            }
        }
    }

    private void announce(List<FailbackPolicy.Candidate> candidates, long now) {
        for (FailbackPolicy.Candidate c : candidates) {
            if (!c.running() && !book.announced(c.tenant(), c.failoverEpoch())) {
                write(event("", c.tenant(), MigrationEvent.Failback.PENDING, c.fromRegion(), c.toRegion(),
                        c.failoverEpoch(), AUTOMATIC, "an automatic failover moved the tenant from its preferred"
                                + " primary '" + c.toRegion() + "' to '" + c.fromRegion() + "' (placement epoch "
                                + c.failoverEpoch() + "); it moves back once '" + c.toRegion() + "' has been healthy"
                                + " for " + settings.after().toMillis() + " ms and caught up", now));
            }
        }
    }

    private long lag(FailbackPolicy.Candidate c) {
        try {
            MigrationPlan plan = migrations.plan(c.tenant(), c.toRegion());
            plans.put(c.tenant(), plan);
            return plan.targetLagEntries();
        } catch (RuntimeException e) {
            LOG.debug("no lag of region={} for tenant={}: {}", c.toRegion(), c.tenant(), e.toString());
            return -1;
        }
    }

    /** Starts the failback's migration, then records it: two transactions, the migration's first. */
    private FailbackBook.Run start(FailbackPolicy.Candidate c, String by, String why, long now) {
        Migration m = migrations.start(c.tenant(), c.toRegion(), "failback: " + by);
        write(event(m.id(), c.tenant(), MigrationEvent.Failback.STARTED, c.fromRegion(), c.toRegion(),
                c.failoverEpoch(), by, why, now));
        started.increment();
        return book.run(c.tenant()).orElseThrow();
    }

    private void write(MigrationEvent.Failback event) {
        context.inTransaction(tx -> tx.send(Topics.MIGRATIONS, event.tenant(), event));
        ownWrites.add(event);
        book.onFailback(event, settings.after().toMillis());
        LOG.info("failback {} tenant={} from={} to={} failoverEpoch={} migration={} controllerEpoch={} by={}: {}",
                event.action(), event.tenant(), event.fromRegion(), event.toRegion(), event.failoverEpoch(),
                event.migrationId().isEmpty() ? "-" : event.migrationId(), event.controllerEpoch(),
                event.requestedBy(), event.reason());
    }

    private MigrationEvent.Failback event(String migrationId, String tenant, String action, String from, String to,
                                          long failoverEpoch, String by, String reason, long now) {
        return new MigrationEvent.Failback(migrationId, tenant, action, from, to, failoverEpoch, by, reason,
                context.epoch(), now);
    }

    private static Failback view(FailbackPolicy.Candidate c, long eligibleAt, String reason) {
        return new Failback(c.tenant(), c.fromRegion(), c.toRegion(), Failback.WAITING, c.failoverEpoch(),
                c.failedOverAt(), eligibleAt, "", reason);
    }

    private static Failback running(FailbackBook.Run run, long failedOverAt) {
        return new Failback(run.tenant(), run.fromRegion(), run.toRegion(), Failback.RUNNING, run.failoverEpoch(),
                failedOverAt, -1, run.migrationId(), "migration " + run.migrationId() + " moves the tenant back");
    }

    @Override
    public void onDeactivated() {
        ControllerContext ended = context;
        context = null;
        ready = false;
        snapshot = Map.of();
        closeLog();
        for (CompletableFuture<?> call : waiting) {
            call.completeExceptionally(notController("this node stopped being the controller"));
        }
        if (ended != null) {
            LOG.info("failback duty inactive controllerEpoch={}", ended.epoch());
        }
    }

    private void closeLog() {
        if (log != null) {
            try {
                log.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the failback log failed: {}", e.toString());
            }
            log = null;
        }
    }

    // ---- Failbacks (any thread) ----

    @Override
    public List<Failback> pending() {
        readyContext();
        return List.copyOf(snapshot.values());
    }

    @Override
    public Failback trigger(String tenant, String requestedBy) {
        Objects.requireNonNull(tenant, "tenant");
        String by = orUnknown(requestedBy);
        return onDuties("trigger a failback", () -> {
            long now = clock.millis();
            Placement p = context.placement(tenant).orElseThrow(() -> new TenantNotFoundException(tenant));
            settleRuns(now);  // a failback whose migration just ended is over, not running
            Optional<FailbackBook.Run> run = book.run(tenant);
            if (run.isPresent()) {
                return running(run.get(), -1);
            }
            String preferred = p.preferredPrimary();
            if (preferred == null) {
                throw new FailbackNotPendingException(tenant, "it names no preferred_primary: set one with PUT"
                        + " /admin/tenants/" + tenant + "/placement");
            }
            if (preferred.equals(p.primary())) {
                throw new FailbackNotPendingException(tenant, "its primary is its preferred primary '" + preferred
                        + "' already");
            }
            long failoverEpoch = book.openFailover(p).orElse(0L);
            FailbackPolicy.Candidate c = new FailbackPolicy.Candidate(tenant, p.primary(), preferred, failoverEpoch,
                    -1, 0, false);
            FailbackBook.Run started = start(c, by, "triggered by " + by, now);
            Failback answer = running(started, -1);
            update(tenant, answer);
            return answer;
        });
    }

    @Override
    public Failback cancel(String tenant, String requestedBy) {
        Objects.requireNonNull(tenant, "tenant");
        String by = orUnknown(requestedBy);
        return onDuties("cancel a failback", () -> {
            long now = clock.millis();
            Placement p = context.placement(tenant).orElseThrow(() -> new TenantNotFoundException(tenant));
            settleRuns(now);
            Optional<FailbackBook.Run> run = book.run(tenant);
            Failback answer;
            if (run.isPresent()) {
                Migration m = migrations.cancel(run.get().migrationId(), by);  // already_switched: it is back
                write(event(run.get().migrationId(), tenant, MigrationEvent.Failback.CANCELLED,
                        run.get().fromRegion(), run.get().toRegion(), run.get().failoverEpoch(), by,
                        "cancelled by " + by + "; migration " + m.id() + " is " + m.state().wireName(), now));
                rolledBack.increment();
                answer = new Failback(tenant, run.get().fromRegion(), run.get().toRegion(), "cancelled",
                        run.get().failoverEpoch(), -1, -1, run.get().migrationId(), "cancelled by " + by);
            } else {
                Optional<FailbackPolicy.Candidate> waiting = book.candidateOf(p);
                if (waiting.isEmpty()) {
                    throw new FailbackNotPendingException(tenant, "no failback waits or runs (the tenant is on its"
                            + " preferred primary, names none, or was not moved by an automatic failover)");
                }
                FailbackPolicy.Candidate c = waiting.get();
                write(event("", tenant, MigrationEvent.Failback.CANCELLED, c.fromRegion(), c.toRegion(),
                        c.failoverEpoch(), by, "cancelled by " + by + " before it started", now));
                answer = new Failback(tenant, c.fromRegion(), c.toRegion(), "cancelled", c.failoverEpoch(),
                        c.failedOverAt(), -1, "", "cancelled by " + by);
            }
            update(tenant, null);
            return answer;
        });
    }

    private void update(String tenant, Failback failback) {
        Map<String, Failback> next = new TreeMap<>(snapshot);
        if (failback == null) {
            next.remove(tenant);
        } else {
            next.put(tenant, failback);
        }
        snapshot = next;
    }

    private interface Command<T> {
        T run();
    }

    private <T> T onDuties(String what, Command<T> command) {
        ControllerContext current = readyContext();
        if (Thread.currentThread() == dutiesThread) {
            return guarded(command);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        waiting.add(result);
        try {
            if (context != current) {
                throw notController("the controller term ended");
            }
            current.runSoon(() -> {
                if (context != current || !ready) {
                    result.completeExceptionally(notController("the controller term ended"));
                    return;
                }
                try {
                    result.complete(guarded(command));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
            return result.get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the controller to " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the controller did not " + what + " within "
                    + settings.callTimeout().toMillis() + " ms; it may still take effect: list the failbacks before"
                    + " retrying", e);
        } finally {
            waiting.remove(result);
        }
    }

    private static <T> T guarded(Command<T> command) {
        try {
            return command.run();
        } catch (ControllerFencedException e) {
            throw notController("this controller was fenced by a newer one (" + e.getMessage() + ")");
        } catch (ControllerWriteException e) {
            throw new MigrationsUnavailableException("Kafka did not commit the failback event (" + e.getMessage()
                    + "): retry");
        }
    }

    private ControllerContext readyContext() {
        ControllerContext current = context;
        if (current == null) {
            throw notController("this node is not the controller");
        }
        if (!ready) {
            throw new MigrationsUnavailableException("the controller has not read the failovers and failbacks from"
                    + " the log yet (it just took over, or Kafka is unavailable): retry in a few seconds");
        }
        return current;
    }

    private static NotControllerException notController(String why) {
        return new NotControllerException("failbacks run on the controller only: " + why
                + "; forward the request to the controller");
    }

    private static String orUnknown(String by) {
        return by == null || by.isBlank() ? "unknown" : by;
    }

    @Override
    public String toString() {
        return "failback";
    }
}
