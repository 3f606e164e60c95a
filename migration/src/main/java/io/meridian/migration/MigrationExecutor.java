package io.meridian.migration;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.controller.ControllerDuty;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.migration.internal.KafkaMigrationSource;
import io.meridian.migration.internal.MigrationMetrics;
import io.meridian.migration.internal.MigrationRun;
import io.meridian.migration.internal.MigrationSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration executor: a {@link ControllerDuty} that runs tenant migrations on the controller, event-sourced over
 * {@code meridian.migrations}, and the {@link Migrations} API the router calls.
 *
 * <pre>
 *   requested ─▶ validated ─▶ writes_paused ─▶ draining ─▶ switched ─▶ completed
 *       │            │              │              │
 *       └────────────┴──────────────┴──────────────┴─▶ failed | cancelled   (writes resumed if they were paused)
 * </pre>
 * Pause, switch and roll-back are each ONE controller transaction: placement + fence + lifecycle event(s). The drain
 * is done when the target region's applied offset of the tenant's WAL partition reaches the pause fence: log order
 * then guarantees that every earlier write is applied there. The controller learns it from the target's heartbeats,
 * and sooner from the target itself: an {@link AppliedProbe} asks it to answer once it applied the pause fence, and
 * the answer switches at once. See {@link MigrationRun} for the steps.
 *
 * <p><b>Lifecycle.</b> Register with {@code Controller.addDuty} before the controller starts. On
 * {@link #onActivated} (this node became the controller) it rebuilds every migration from the log (read from the
 * beginning, {@code read_committed}, folded per migration id in order) and carries the unfinished ones on: a switched
 * one completes, a draining one keeps draining, a timed-out one rolls back. {@link #tick} (every heartbeat interval)
 * advances every active migration; {@link #onDeactivated} drops the term's state and fails waiting calls.
 *
 * <p><b>Threading.</b> All migration work runs on the controller's single duties thread, so no step ever races
 * another or a failover. The {@link Migrations} methods may be called from any thread: reads ({@link #get},
 * {@link #forTenant}, {@link #active}) answer from an immutable-per-migration snapshot without hopping threads;
 * commands ({@link #plan}, {@link #start}, {@link #cancel}) are handed to the duties thread with
 * {@link ControllerContext#runSoon} and the caller waits for a future (bounded by
 * {@link MigrationSettings#callTimeout()}). A hand-off was chosen over a lock because the controller context may
 * only be used on the duties thread, and it orders commands with ticks and failover checks. Called ON the duties
 * thread, commands run inline.
 */
public final class MigrationExecutor implements ControllerDuty, Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationExecutor.class);

    private final MigrationSettings settings;
    private final Supplier<? extends MigrationSource> sources;
    private final AppliedProbe probe;
    private final Clock clock;
    private final Supplier<String> ids;
    private final MigrationMetrics metrics;
    private final Set<CompletableFuture<?>> waiting = ConcurrentHashMap.newKeySet();
    private volatile MigrationRun run;
    private volatile Thread dutiesThread;

    /**
     * The executor of a node: reads Kafka with the node's client properties.
     *
     * @param probe asks a migration's target directly how far it applied the pause fence's partition
     */
    public MigrationExecutor(MeridianConfig config, AppliedProbe probe, MeterRegistry registry, Clock clock) {
        this(MigrationSettings.from(config),
                () -> new KafkaMigrationSource(config.kafkaClientProperties(), Duration.ofSeconds(30)), probe,
                registry, clock, () -> UUID.randomUUID().toString());
    }

    /**
     * As {@link #MigrationExecutor(MigrationSettings, Supplier, AppliedProbe, MeterRegistry, Clock, Supplier)}, with
     * the drain judged from heartbeats only.
     */
    public MigrationExecutor(MigrationSettings settings, Supplier<? extends MigrationSource> sources,
                             MeterRegistry registry, Clock clock, Supplier<String> ids) {
        this(settings, sources, AppliedProbe.NONE, registry, clock, ids);
    }

    /**
     * @param sources  opens what the executor reads from Kafka, once per controller term
     * @param probe    asks a migration's target directly how far it applied ({@link AppliedProbe#NONE}: nobody)
     * @param registry where the migration meters go
     * @param clock    the time of every event and timeout
     * @param ids      new migration ids
     */
    public MigrationExecutor(MigrationSettings settings, Supplier<? extends MigrationSource> sources,
                             AppliedProbe probe, MeterRegistry registry, Clock clock, Supplier<String> ids) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.metrics = new MigrationMetrics(registry, this::inProgress, this::oldestActiveAgeMillis);
    }

    // ---- ControllerDuty (duties thread) ----

    @Override
    public void onActivated(ControllerContext context) {
        dutiesThread = Thread.currentThread();
        MigrationRun previous = run;
        if (previous != null) {
            previous.close();  // a term that ended without onDeactivated
        }
        MigrationRun next = new MigrationRun(context, sources, settings, probe, clock, metrics, ids);
        run = next;
        LOG.info("migration executor active controllerEpoch={}", context.epoch());
        // Must not throw: the controller activates its duties in a row. A failed rebuild is retried every tick.
        if (next.rebuild()) {
            context.runSoon(() -> safely(next, "resuming migrations", () -> next.advanceAll()));
        }
    }

    @Override
    public void tick(long nowMillis) {
        dutiesThread = Thread.currentThread();
        MigrationRun current = run;
        if (current != null) {
            current.tick();  // fencing propagates: the controller steps down
        }
    }

    @Override
    public void onDeactivated() {
        MigrationRun ended = run;
        run = null;
        for (CompletableFuture<?> call : waiting) {
            call.completeExceptionally(notController("this node stopped being the controller"));
        }
        if (ended != null) {
            ended.close();
            LOG.info("migration executor inactive controllerEpoch={}", ended.context().epoch());
        }
    }

    // ---- Migrations (any thread) ----

    @Override
    public MigrationPlan plan(String tenant, String toRegion) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(toRegion, "toRegion");
        return onDuties("plan", r -> r.plan(tenant, toRegion));
    }

    @Override
    public Migration start(String tenant, String toRegion, String requestedBy) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(toRegion, "toRegion");
        String by = requestedBy == null || requestedBy.isBlank() ? "unknown" : requestedBy;
        return onDuties("start", r -> r.start(tenant, toRegion, by));
    }

    @Override
    public Optional<Migration> get(String migrationId) {
        return readyRun().book().get(migrationId);
    }

    @Override
    public List<Migration> forTenant(String tenant) {
        return readyRun().book().forTenant(tenant);
    }

    @Override
    public List<Migration> active() {
        return readyRun().book().active();
    }

    @Override
    public Migration cancel(String migrationId, String requestedBy) {
        Objects.requireNonNull(migrationId, "migrationId");
        String by = requestedBy == null || requestedBy.isBlank() ? "unknown" : requestedBy;
        return onDuties("cancel", r -> r.cancel(migrationId, by));
    }

    /** Migrations in progress as this node knows them: 0 unless it is the controller. */
    public int inProgress() {
        MigrationRun current = run;
        return current == null || !current.ready() ? 0 : current.book().activeCount();
    }

    /** How long ago the oldest migration in progress was requested (by the executor's clock), 0 when none is. */
    public long oldestActiveAgeMillis() {
        MigrationRun current = run;
        if (current == null || !current.ready()) {
            return 0;
        }
        long now = clock.millis();
        return current.book().active().stream().mapToLong(m -> Math.max(0, now - m.requestedAt())).max().orElse(0);
    }

    // ---- the hand-off to the duties thread ----

    private <T> T onDuties(String what, Function<MigrationRun, T> command) {
        MigrationRun current = readyRun();
        if (Thread.currentThread() == dutiesThread) {
            return guarded(current, command);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        waiting.add(result);
        try {
            // Registered before this check, so onDeactivated either sees the call or the call sees the change.
            if (run != current) {
                throw notController("the controller term ended");
            }
            current.context().runSoon(() -> {
                if (run != current) {
                    result.completeExceptionally(notController("the controller term ended"));
                    return;
                }
                try {
                    result.complete(guarded(current, command));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            });
            return result.get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the controller to " + what, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the controller did not " + what + " within "
                    + settings.callTimeout().toMillis() + " ms; the request may still take effect: check the"
                    + " migrations of the tenant before retrying", e);
        } finally {
            waiting.remove(result);
        }
    }

    private static <T> T guarded(MigrationRun current, Function<MigrationRun, T> command) {
        try {
            return command.apply(current);
        } catch (ControllerFencedException e) {
            throw notController("this controller was fenced by a newer one (" + e.getMessage() + ")");
        }
    }

    private MigrationRun readyRun() {
        MigrationRun current = run;
        if (current == null) {
            throw notController("this node is not the controller");
        }
        if (!current.ready()) {
            throw new MigrationsUnavailableException("the controller has not rebuilt the migrations from the log yet"
                    + " (it just took over, or Kafka is unavailable): retry in a few seconds");
        }
        return current;
    }

    private static NotControllerException notController(String why) {
        return new NotControllerException("migrations run on the controller only: " + why
                + "; forward the request to the controller");
    }

    private static void safely(MigrationRun current, String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed controllerEpoch={}: {}", what, current.context().epoch(), e.toString());
        }
    }
}
