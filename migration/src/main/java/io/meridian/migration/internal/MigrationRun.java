package io.meridian.migration.internal;

import static io.meridian.infra.model.MigrationState.CANCELLED;
import static io.meridian.infra.model.MigrationState.COMPLETED;
import static io.meridian.infra.model.MigrationState.DRAINING;
import static io.meridian.infra.model.MigrationState.FAILED;
import static io.meridian.infra.model.MigrationState.SWITCHED;
import static io.meridian.infra.model.MigrationState.VALIDATED;
import static io.meridian.infra.model.MigrationState.WRITES_PAUSED;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WriteState;
import io.meridian.migration.AlreadySwitchedException;
import io.meridian.migration.AppliedProbe;
import io.meridian.migration.Migration;
import io.meridian.migration.MigrationException;
import io.meridian.migration.MigrationNotFoundException;
import io.meridian.migration.MigrationPlan;
import io.meridian.migration.MigrationSettings;
import io.meridian.migration.TenantNotFoundException;
import io.meridian.migration.UnknownRegionException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration executor's work during one controller term: the migrations rebuilt from {@code meridian.migrations},
 * and the state machine that carries them on. Everything here runs on the controller's duties thread, except reads of
 * {@link #book()} and {@link #ready()}.
 *
 * <p>Every step is one controller transaction whose events are folded into the book only after it committed, so the
 * book is always what the log says. A transaction that failed (retriable) marks the book stale: the next tick
 * rebuilds it from the log before going on, which also settles a commit whose outcome was unknown.
 *
 * <p>The placement a step starts from is the controller's committed one ({@link ControllerContext#placement}): a
 * placement NEWER than the epoch a migration expects means something else (a failover, an operator) changed it, and
 * the migration fails.
 *
 * <p>The write pause is two transactions (the pause, with the drain's start; the switch) plus the drain, whose end the
 * target itself reports ({@link DrainProgress}): its answer advances the migration without waiting for a tick.
 */
public final class MigrationRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationRun.class);
    private static final int MAX_STEPS_PER_ADVANCE = 8;
    /** After a failed rebuild, the next try waits this long: reading the log blocks the duties thread. */
    private static final long REBUILD_BACKOFF_MS = 10_000;

    private final ControllerContext context;
    private final Supplier<? extends MigrationSource> sources;
    private final MigrationSettings settings;
    private final Clock clock;
    private final MigrationMetrics metrics;
    private final Supplier<String> ids;
    private final MigrationBook book = new MigrationBook();
    private final MigrationJournal journal;
    private final Assessor assessor;
    private final RateSampler rates;
    private final DrainProgress drain;
    private MigrationSource source;
    private volatile boolean ready;
    private long nextRebuildAt;

    /** @param probe asks a migration's target directly how far it applied (else only its heartbeats tell) */
    public MigrationRun(ControllerContext context, Supplier<? extends MigrationSource> sources,
                        MigrationSettings settings, AppliedProbe probe, Clock clock, MigrationMetrics metrics,
                        Supplier<String> ids) {
        this.context = context;
        this.sources = sources;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.ids = ids;
        this.assessor = new Assessor(settings);
        this.rates = new RateSampler(Math.max(30_000, 10 * settings.heartbeatInterval().toMillis()),
                settings.walPartitions());
        this.drain = new DrainProgress(context, settings, rates, probe, clock, this::advanceSoon);
        this.journal = new MigrationJournal(context, book, metrics, ended -> drain.forget(ended.id()));
    }

    /** The migrations of this term; readable from any thread. */
    public MigrationBook book() {
        return book;
    }

    /** Whether the migrations were rebuilt from the log: until then, this term answers no requests. */
    public boolean ready() {
        return ready;
    }

    public ControllerContext context() {
        return context;
    }

    /**
     * Reads {@code meridian.migrations} from the beginning and folds every migration anew. Never throws: on failure
     * the run stays (or becomes) not ready and the next tick tries again.
     */
    public boolean rebuild() {
        long started = clock.millis();
        try {
            List<MigrationEvent> events = source().readAll();
            int skipped = book.rebuild(events);
            drain.clear();
            journal.rebuilt();
            ready = true;
            List<Migration> active = book.active();
            LOG.info("migrations rebuilt from the log controllerEpoch={} events={} skipped={} active={} took={}ms",
                    context.epoch(), events.size(), skipped, active.size(), clock.millis() - started);
            for (Migration m : active) {
                LOG.info("migration resumes tenant={} migration={} state={} placementEpoch={} controllerEpoch={}"
                                + " fence={}", m.tenant(), m.id(), m.state().wireName(), m.placementEpoch(),
                        context.epoch(), m.pauseFence());
            }
            return true;
        } catch (RuntimeException e) {
            ready = false;
            nextRebuildAt = clock.millis() + REBUILD_BACKOFF_MS;
            LOG.error("cannot rebuild the migrations from the log controllerEpoch={}; retrying in {} ms: {}",
                    context.epoch(), REBUILD_BACKOFF_MS, e.toString());
            closeSource();
            return false;
        }
    }

    /** Every heartbeat interval: rebuild if needed, sample rates, carry every active migration on. */
    public void tick() {
        if (!ready && clock.millis() < nextRebuildAt) {
            return;
        }
        if ((!ready || journal.stale()) && !rebuild()) {
            return;
        }
        rates.sample(this::source, book.activeCount() > 0, context.health(), clock.millis());
        advanceAll();
    }

    public void advanceAll() {
        for (Migration m : book.active()) {
            advance(m.id());
        }
    }

    /**
     * Moves one migration as far as it can go now. A retriable write failure is logged and retried next tick;
     * fencing ({@link ControllerFencedException}) propagates: this term is over.
     */
    public void advance(String migrationId) {
        try {
            for (int i = 0; i < MAX_STEPS_PER_ADVANCE; i++) {
                Optional<Migration> m = book.get(migrationId);
                if (m.isEmpty() || !m.get().active() || !step(m.get())) {
                    return;
                }
            }
        } catch (ControllerFencedException e) {
            throw e;
        } catch (ControllerWriteException e) {
            LOG.warn("migration step not committed migration={} controllerEpoch={}; retrying next tick: {}",
                    migrationId, context.epoch(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("migration step failed migration={} controllerEpoch={}; retrying next tick", migrationId,
                    context.epoch(), e);
        }
    }

    /** {@link #advance} from a task of its own: fencing was already reported to the controller, so only log it. */
    private void advanceSoon(String migrationId) {
        try {
            advance(migrationId);
        } catch (ControllerFencedException e) {
            LOG.warn("migration not advanced migration={}: controller epoch {} was fenced", migrationId,
                    context.epoch());
        }
    }

    // ---- commands (duties thread) ----

    public MigrationPlan plan(String tenant, String toRegion) {
        Assessor.Assessment a = assessor.assess(context, context.placement(tenant), source(), book, rates, tenant, toRegion,
                "", clock.millis());
        if (a.problem() instanceof TenantNotFoundException || a.problem() instanceof UnknownRegionException) {
            throw a.problem();
        }
        return assessor.plan(a, rates);
    }

    public Migration start(String tenant, String toRegion, String requestedBy) {
        long now = clock.millis();
        Assessor.Assessment a = assessor.assess(context, context.placement(tenant), source(), book, rates, tenant, toRegion,
                "", now);
        if (a.problem() != null) {
            LOG.info("migration refused tenant={} to={} controllerEpoch={} code={}: {}", tenant, toRegion,
                    context.epoch(), a.problem().code(), a.problem().getMessage());
            throw a.problem();
        }
        MigrationEvent.Requested requested = new MigrationEvent.Requested(ids.get(), tenant, a.placement().primary(),
                toRegion, settings.timeout().toMillis(), requestedBy, now);
        journal.append(tenant, List.of(requested));
        context.runSoon(() -> advanceSoon(requested.migrationId()));
        return book.get(requested.migrationId()).orElseThrow();
    }

    public Migration cancel(String migrationId, String requestedBy) {
        Migration m = book.get(migrationId).orElseThrow(() -> new MigrationNotFoundException(migrationId));
        if (m.state() == SWITCHED || m.state() == COMPLETED) {
            throw new AlreadySwitchedException(m.tenant(), m.id(), m.toRegion());
        }
        if (!m.active() || m.cancelRequested()) {
            return m;  // idempotent: already ended, or the cancel is on its way
        }
        journal.append(m.tenant(), List.of(new MigrationEvent.CancelRequested(migrationId, m.tenant(), requestedBy,
                clock.millis())));
        advance(migrationId);
        return book.get(migrationId).orElseThrow();
    }

    // ---- the state machine ----

    /** One step; true when the migration moved and may move again at once. */
    private boolean step(Migration m) {
        long now = clock.millis();
        if (m.state() == SWITCHED) {
            // Only a log written elsewhere leaves a migration switched but not completed: finish it.
            journal.append(m.tenant(), List.of(changed(m, COMPLETED, m.placementEpoch(), "", "completed by controller epoch "
                    + context.epoch() + " after a controller change", now)));
            return true;
        }
        Optional<Placement> current = context.placement(m.tenant());
        if (m.cancelRequested()) {
            return end(m, current, CANCELLED, "cancelled by " + orUnknown(book.cancelledBy(m.id())) + " in state "
                    + m.state().wireName(), now);
        }
        if (m.timedOut(now)) {
            return end(m, current, FAILED, "timed out after " + m.timeoutMs() + " ms in state " + m.state().wireName()
                    + drain.detail(m), now);
        }
        if (current.isEmpty()) {
            return end(m, current, FAILED, "tenant '" + m.tenant() + "' has no placement any more", now);
        }
        Placement placement = current.get();
        if (m.state() != MigrationState.REQUESTED && placement.epoch() < m.placementEpoch()) {
            return false;  // cannot happen with a ledger-backed context; never plan from an epoch behind our own
        }
        if (m.state() != MigrationState.REQUESTED) {
            if (placement.epoch() > m.placementEpoch()) {
                return end(m, current, FAILED, "the placement changed underneath the migration (expected epoch "
                        + m.placementEpoch() + ", found " + placement.epoch() + ": primary " + placement.primary()
                        + ", writes " + placement.writes().wireName() + "), e.g. by a failover", now);
            }
        }
        return switch (m.state()) {
            case REQUESTED -> validate(m, current, now);
            case VALIDATED -> pause(m, placement, now);
            case WRITES_PAUSED -> startDrain(m, now);
            case DRAINING -> drainOrSwitch(m, placement, now);
            default -> false;
        };
    }

    private boolean validate(Migration m, Optional<Placement> current, long now) {
        Assessor.Assessment a = assessor.assess(context, current, source(), book, rates, m.tenant(), m.toRegion(),
                m.id(), now);
        MigrationException problem = a.problem();
        if (problem == null && !a.placement().primary().equals(m.fromRegion())) {
            return end(m, current, FAILED, "the primary moved from " + m.fromRegion() + " to "
                    + a.placement().primary() + " since the request", now);
        }
        if (problem != null) {
            return end(m, current, FAILED, "validation failed [" + problem.code() + "]: " + problem.getMessage(), now);
        }
        journal.append(m.tenant(), List.of(changed(m, VALIDATED, a.placement().epoch(), "", m.toRegion()
                + " is a healthy replica lagging " + a.lag() + " entries (limit " + settings.maxTargetLagEntries()
                + ")", now)));
        return true;
    }

    /** Pauses the writes and starts the drain in ONE transaction: each commit lengthens the pause. */
    private boolean pause(Migration m, Placement current, long now) {
        Placement paused = current.withWrites(WriteState.PAUSED, current.epoch() + 1);
        journal.publish(paused, "migration-pause", fence -> List.of(
                changed(m, WRITES_PAUSED, paused.epoch(), fence.toString(), "writes paused on " + paused.primary()
                        + " at placement epoch " + paused.epoch() + ", pause fence " + fence, now),
                changed(m, DRAINING, paused.epoch(), fence.toString(), "waiting for " + m.toRegion()
                        + " to apply up to the pause fence " + fence, now)));
        return true;
    }

    /** A migration paused by a controller that wrote the drain's start separately (before it was one transaction). */
    private boolean startDrain(Migration m, long now) {
        journal.append(m.tenant(), List.of(changed(m, DRAINING, m.placementEpoch(), m.pauseFence(), "waiting for "
                + m.toRegion() + " to apply up to the pause fence " + m.pauseFence(), now)));
        return true;
    }

    private boolean drainOrSwitch(Migration m, Placement current, long now) {
        Position fence = Position.parse(m.pauseFence());
        Optional<RegionStatus> target = context.health().region(m.toRegion());
        if (target.get().state() == RegionHealth.UNHEALTHY) {
            // A target that died while the tenant's writes are paused cannot finish the drain: roll back now rather
            // than keep the writes paused until the migration's timeout (chaos node-kill seed 1: 30 s).
            return end(m, Optional.of(current), FAILED, m.toRegion() + " became unhealthy while draining (since "
                    + target.get().sinceMillis() + "): writes resumed on " + current.primary() + drain.detail(m), now);
        }
        DrainProgress.Seen seen = drain.applied(m, fence);
        long applied = seen.offset();
        if (applied < fence.offset()) {
            drain.ask(m, fence);
            drain.report(m, fence, applied, now).ifPresent(progress -> journal.append(m.tenant(), List.of(progress)));
            return false;
        }
        if (target.get().state() != RegionHealth.HEALTHY) {
            // Drained, but switching to a region that stopped heartbeating would strand the tenant: wait; the timeout
            // rolls the migration back if it does not recover.
            LOG.warn("migration drained but target not healthy tenant={} migration={} target={} health={}",
                    m.tenant(), m.id(), m.toRegion(), target.get().state().wireName());
            return false;
        }
        // Everything else of the placement stays (write concern, preferred primary, syncing regions).
        Placement switched = current.withWrites(WriteState.ACTIVE, current.epoch() + 1)
                .withPrimary(m.toRegion(), current.epoch() + 1);
        journal.publish(switched, "migration-switch", at -> List.of(
                changed(m, SWITCHED, switched.epoch(), at.toString(), m.toRegion() + " applied up to "
                        + fence.partition() + ":" + applied + " " + seen.source() + " (pause fence " + fence
                        + "); primary " + current.primary() + " -> " + m.toRegion() + " at placement epoch "
                        + switched.epoch(), now),
                changed(m, COMPLETED, switched.epoch(), at.toString(), "primary is " + m.toRegion()
                        + ", writes active; writes were paused " + (now - m.pausedAt()) + " ms", now)));
        return true;
    }

    /**
     * Ends a migration before its switch. If it paused the writes and they are still paused, ONE transaction resumes
     * them (primary unchanged, epoch + 1) with the final event; otherwise the final event alone.
     */
    private boolean end(Migration m, Optional<Placement> current, MigrationState finalState, String why, long now) {
        boolean pausedByUs = m.state() == WRITES_PAUSED || m.state() == DRAINING;
        if (pausedByUs && current.isPresent()) {
            Placement placement = current.get();
            if (placement.epoch() < m.placementEpoch()) {
                return false;  // as in step: never roll back from an epoch behind our own pause
            }
            if (placement.writes() == WriteState.PAUSED) {
                Placement resumed = placement.withWrites(WriteState.ACTIVE, placement.epoch() + 1);
                journal.publish(resumed, "migration-rollback", fence -> List.of(changed(m, finalState, resumed.epoch(),
                        fence.toString(), why + "; writes resumed on " + resumed.primary() + " at placement epoch "
                                + resumed.epoch(), now)));
                return true;
            }
        }
        long epoch = current.map(Placement::epoch).orElse(m.placementEpoch());
        journal.append(m.tenant(), List.of(changed(m, finalState, epoch, "", why, now)));
        return true;
    }

    private MigrationEvent.StateChanged changed(Migration m, MigrationState state, long placementEpoch, String fence,
                                                String reason, long now) {
        return journal.changed(m, state, placementEpoch, fence, reason, now);
    }

    private MigrationSource source() {
        if (source == null) {
            source = sources.get();
        }
        return source;
    }

    private void closeSource() {
        if (source != null) {
            try {
                source.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the migration source failed: {}", e.toString());
            }
            source = null;
        }
    }

    private static String orUnknown(String who) {
        return who.isEmpty() ? "an operator" : who;
    }

    /** Closes the Kafka clients of this term. */
    @Override
    public void close() {
        ready = false;
        drain.close();
        closeSource();
    }
}
