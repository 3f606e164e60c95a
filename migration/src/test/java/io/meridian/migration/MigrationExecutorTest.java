package io.meridian.migration;

import static io.meridian.infra.model.MigrationState.CANCELLED;
import static io.meridian.infra.model.MigrationState.COMPLETED;
import static io.meridian.infra.model.MigrationState.DRAINING;
import static io.meridian.infra.model.MigrationState.FAILED;
import static io.meridian.infra.model.MigrationState.REQUESTED;
import static io.meridian.infra.model.MigrationState.SWITCHED;
import static io.meridian.infra.model.MigrationState.VALIDATED;
import static io.meridian.infra.model.MigrationState.WRITES_PAUSED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.migration.testing.FakeControllerContext;
import io.meridian.migration.testing.FakeControllerContext.Tx;
import io.meridian.migration.testing.FakeMigrationSource;
import io.meridian.infra.testkit.MutableClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The executor against a fake controller context and a hand-moved clock: every path of the state machine, with the
 * exact transactions (placements, fences, events) it commits.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MigrationExecutorTest {
    private static final String ACME = "acme";
    private static final int P = 3;
    private static final long CONTROLLER_EPOCH = 7;
    private static final MigrationSettings SETTINGS = new MigrationSettings(Set.of("us-east", "eu-west", "ap-south"),
            12, Duration.ofSeconds(30), 1_000, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10));

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
    private final FakeControllerContext ctx = new FakeControllerContext(CONTROLLER_EPOCH, clock);
    private final FakeMigrationSource source = new FakeMigrationSource(ctx);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger ids = new AtomicInteger();
    private final Placement initial = new Placement(ACME, "us-east", List.of("us-east", "eu-west"), 4,
            WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);
    private MigrationExecutor executor;
    private ExecutorService duties;

    @BeforeEach
    void setUp() {
        ctx.partitions.put(ACME, P);
        ctx.view.put(ACME, initial);
        ctx.walEnd.put(P, 100L);
        ctx.region("us-east", RegionHealth.HEALTHY, Map.of(P, 99L));
        ctx.region("eu-west", RegionHealth.HEALTHY, Map.of(P, 95L));
        ctx.region("ap-south", RegionHealth.HEALTHY, Map.of(P, 90L));
        executor = newExecutor();
        executor.onActivated(ctx);
        ctx.runSoonTasks();
    }

    @AfterEach
    void stopDuties() {
        if (duties != null) {
            duties.shutdownNow();
        }
    }

    private MigrationExecutor newExecutor() {
        return new MigrationExecutor(SETTINGS, () -> source, registry, clock, () -> "m" + ids.incrementAndGet());
    }

    // ---- the happy path ----

    @Test
    void shouldCompleteWithOnePauseAndOneSwitchTransaction() {
        long t0 = clock.millis();
        Migration requested = executor.start(ACME, "eu-west", "alice");

        assertEquals(REQUESTED, requested.state());
        assertEquals("m1", requested.id());
        assertEquals(List.of(new MigrationEvent.Requested("m1", ACME, "us-east", "eu-west", 30_000, "alice", t0)),
                ctx.committed.get(0).events());
        assertNull(ctx.committed.get(0).placement());
        assertEquals(1, gauge());

        ctx.runSoonTasks();  // validate, then pause and start the drain: at once
        List<Tx> txs = ctx.since(1);
        assertEquals(2, txs.size(), txs.toString());
        assertNull(txs.get(0).placement());
        assertChanged(txs.get(0).events(), VALIDATED, 4, "", t0);
        assertEquals(initial.withWrites(WriteState.PAUSED, 5), txs.get(1).placement(), "pause: writes paused, epoch+1");
        assertEquals(new Position(P, 100), txs.get(1).fence());
        assertEquals("migration-pause", txs.get(1).reason());
        assertEquals(2, txs.get(1).events().size(), "the drain starts in the pause's transaction");
        assertChanged(List.of(txs.get(1).events().get(0)), WRITES_PAUSED, 5, "3:100", t0);
        assertChanged(List.of(txs.get(1).events().get(1)), DRAINING, 5, "3:100", t0);
        assertEquals(DRAINING, executor.get("m1").orElseThrow().state());

        // Not drained after a second: one progress report, no switch.
        clock.advance(Duration.ofSeconds(1));
        ctx.applied("eu-west", P, 99);
        executor.tick(clock.millis());
        MigrationEvent.Progress progress = assertInstanceOf(MigrationEvent.Progress.class, ctx.last().events().get(0));
        assertEquals(new MigrationEvent.Progress("m1", ACME, "3:100", 99, 1, progress.entriesPerSecond(),
                CONTROLLER_EPOCH, clock.millis()), progress);
        assertEquals(1, executor.get("m1").orElseThrow().remainingEntries());
        assertEquals(1.0, oldestAgeSeconds(), "the oldest migration's age follows the clock");
        int before = ctx.committed.size();
        clock.advance(Duration.ofMillis(200));
        executor.tick(clock.millis());
        assertEquals(before, ctx.committed.size(), "at most one progress report a second");

        // The target passes the pause fence: ONE transaction switches.
        ctx.applied("eu-west", P, 100);
        clock.advance(Duration.ofMillis(100));
        long switchedAt = clock.millis();
        executor.tick(switchedAt);
        Tx switched = ctx.last();
        assertEquals(new Placement(ACME, "eu-west", List.of("us-east", "eu-west"), 6, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY), switched.placement());
        assertEquals(new Position(P, 101), switched.fence());
        assertEquals(2, switched.events().size());
        assertChanged(List.of(switched.events().get(0)), SWITCHED, 6, "3:101", switchedAt);
        assertChanged(List.of(switched.events().get(1)), COMPLETED, 6, "3:101", switchedAt);

        Migration done = executor.get("m1").orElseThrow();
        assertEquals(COMPLETED, done.state());
        assertEquals("3:100", done.pauseFence());
        assertEquals(t0, done.pausedAt());
        assertFalse(done.active());
        assertEquals(List.of(), executor.active());
        assertEquals(List.of(done), executor.forTenant(ACME));

        assertEquals(1.0, counter("completed"));
        assertEquals(0.0, counter("failed"));
        assertEquals(1, timer(MetricNames.MIGRATION_DURATION).count());
        assertEquals(1_300, timer(MetricNames.MIGRATION_DURATION).totalTime(TimeUnit.MILLISECONDS));
        assertEquals(1_300, timer(MetricNames.MIGRATION_WRITE_PAUSE).totalTime(TimeUnit.MILLISECONDS));
        assertEquals(0, gauge());
        assertEquals(0.0, oldestAgeSeconds(), "no migration in progress: age 0");

        // Nothing more happens to a completed migration.
        int after = ctx.committed.size();
        clock.advance(Duration.ofMinutes(5));
        executor.tick(clock.millis());
        assertEquals(after, ctx.committed.size());
    }

    @Test
    void shouldRunSeveralMigrationsAtOnceUpToTheBoundPerRegion() {
        MigrationSettings bounded = new MigrationSettings(SETTINGS.regions(), 12, SETTINGS.timeout(), 1_000,
                SETTINGS.pauseBudget(), SETTINGS.heartbeatInterval(), SETTINGS.progressInterval(),
                SETTINGS.callTimeout(), 2);
        executor.onDeactivated();
        executor = new MigrationExecutor(bounded, () -> source, registry, clock, () -> "m" + ids.incrementAndGet());
        executor.onActivated(ctx);
        ctx.runSoonTasks();
        for (String tenant : List.of("globex", "initech", "umbrella")) {
            ctx.partitions.put(tenant, P);
            ctx.view.put(tenant, new Placement(tenant, "us-east", List.of("us-east", "eu-west", "ap-south"), 1,
                    WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY));
        }

        Migration first = executor.start(ACME, "eu-west", "evacuation");
        Migration second = executor.start("globex", "ap-south", "evacuation");
        ctx.runSoonTasks();
        // Both tenants' writes are paused and draining at the same time: several run at once.
        assertEquals(DRAINING, executor.get(first.id()).orElseThrow().state());
        assertEquals(DRAINING, executor.get(second.id()).orElseThrow().state());
        assertEquals(WriteState.PAUSED, ctx.view.get(ACME).writes());
        assertEquals(WriteState.PAUSED, ctx.view.get("globex").writes());

        // A third out of us-east is over the bound: refused, retriable, nothing written.
        int before = ctx.committed.size();
        TooManyMigrationsException refused = assertThrows(TooManyMigrationsException.class,
                () -> executor.start("initech", "ap-south", "evacuation"));
        assertEquals("too_many_migrations", refused.code());
        assertEquals(429, refused.status());
        assertTrue(refused.retriable());
        assertTrue(refused.getMessage().contains("us-east"), refused.getMessage());
        assertFalse(executor.plan("initech", "ap-south").valid(), "the dry run says so too");
        assertEquals(before, ctx.committed.size());
        assertEquals(2, executor.active().size());

        // Once one ended, the next one starts.
        ctx.applied("eu-west", P, 100);
        clock.advance(Duration.ofMillis(100));
        executor.tick(clock.millis());
        assertEquals(COMPLETED, executor.get(first.id()).orElseThrow().state());
        Migration third = executor.start("initech", "ap-south", "evacuation");
        assertEquals(REQUESTED, third.state());
        // The bound counts a region on either side: ap-south now receives two, so none more from eu-west.
        ctx.view.put("umbrella", new Placement("umbrella", "eu-west", List.of("eu-west", "ap-south"), 1,
                WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY));
        TooManyMigrationsException intoFull = assertThrows(TooManyMigrationsException.class,
                () -> executor.start("umbrella", "ap-south", "evacuation"));
        assertTrue(intoFull.getMessage().startsWith("region ap-south"), intoFull.getMessage());
    }

    @Test
    void shouldKeepTheTenantsWriteConcernThroughPauseAndSwitch() {
        Placement withConcern = initial.withWriteConcern(io.meridian.infra.model.WriteConcern.ALL, 4);
        ctx.view.put(ACME, withConcern);
        executor.start(ACME, "eu-west", "alice");
        ctx.runSoonTasks();
        assertEquals(withConcern.withWrites(WriteState.PAUSED, 5), ctx.last().placement());
        ctx.applied("eu-west", P, 100);
        clock.advance(Duration.ofMillis(100));
        executor.tick(clock.millis());
        Placement switched = ctx.last().placement();
        assertEquals("eu-west", switched.primary());
        assertEquals(WriteState.ACTIVE, switched.writes());
        assertEquals(io.meridian.infra.model.WriteConcern.ALL, switched.writeConcern());
    }

    @Test
    void shouldRegisterEveryFinalStateCounterAndTheOtherMetersUpFront() {
        for (String state : List.of("completed", "failed", "cancelled")) {
            assertEquals(0.0, counter(state), state);
        }
        assertEquals(0, timer(MetricNames.MIGRATION_DURATION).count());
        assertEquals(0, timer(MetricNames.MIGRATION_WRITE_PAUSE).count());
        assertEquals(0, gauge());
    }

    // ---- validation ----

    @Test
    void shouldRefuseAtOnceWithAStableCodeAndWriteNothing() {
        assertRefused(TenantNotFoundException.class, "tenant_not_found", 404, () -> executor.start("nobody", "eu-west",
                "alice"));
        assertRefused(UnknownRegionException.class, "unknown_region", 400, () -> executor.start(ACME, "mars", "a"));
        assertRefused(SameRegionException.class, "same_region", 400, () -> executor.start(ACME, "us-east", "a"));
        MigrationException notReplica = assertRefused(NotAReplicaException.class, "not_a_replica", 400,
                () -> executor.start(ACME, "ap-south", "a"));
        assertTrue(notReplica.getMessage().contains("add ap-south to the placement's replicas first"),
                notReplica.getMessage());
        ctx.health("eu-west", RegionHealth.SUSPECT);
        MigrationException unhealthy = assertRefused(TargetUnhealthyException.class, "target_unhealthy", 409,
                () -> executor.start(ACME, "eu-west", "a"));
        assertTrue(unhealthy.retriable());
        ctx.health("eu-west", RegionHealth.HEALTHY);
        ctx.needsReseed("eu-west", true);
        MigrationException reseed = assertRefused(TargetNeedsReseedException.class, "target_needs_reseed", 409,
                () -> executor.start(ACME, "eu-west", "a"));
        assertFalse(reseed.retriable(), "waiting does not fill the gap");
        ctx.needsReseed("eu-west", false);
        Placement placed = ctx.view.get(ACME);
        ctx.view.put(ACME, placed.withReplicas(placed.replicas(), List.of("eu-west"), placed.epoch()));
        MigrationException syncing = assertRefused(TargetSyncingException.class, "target_syncing", 409,
                () -> executor.start(ACME, "eu-west", "a"));
        assertTrue(syncing.retriable(), "it ends by itself");
        ctx.view.put(ACME, placed);
        ctx.walEnd.put(P, 2_000L);  // eu-west at 95: 1904 behind, limit 1000
        assertRefused(TargetLaggingException.class, "target_lagging", 409, () -> executor.start(ACME, "eu-west", "a"));
        assertEquals(List.of(), ctx.committed, "a refused request writes nothing");

        ctx.walEnd.put(P, 100L);
        Migration first = executor.start(ACME, "eu-west", "a");
        MigrationException inProgress = assertRefused(MigrationInProgressException.class, "migration_in_progress",
                409, () -> executor.start(ACME, "eu-west", "b"));
        assertEquals(first.id(), inProgress.migrationId());
        assertEquals(1, ctx.committed.size());
    }

    @Test
    void shouldRefuseAPausedTargetUntilItIsResumed() {
        ctx.paused("eu-west", true);
        MigrationException paused = assertRefused(TargetPausedException.class, "target_paused", 409,
                () -> executor.start(ACME, "eu-west", "a"));
        assertFalse(paused.retriable(), "it passes only when the operator resumes the region");
        assertTrue(paused.getMessage().contains("meridianctl region resume eu-west"), paused.getMessage());
        assertEquals(List.of(), ctx.committed, "a refused request writes nothing");

        ctx.paused("eu-west", false);
        executor.start(ACME, "eu-west", "a");
        assertEquals(1, ctx.committed.size());
    }

    @Test
    void shouldFailWhenTheTargetIsNoLongerValidWhenTheControllerValidates() {
        long t0 = clock.millis();
        executor.start(ACME, "eu-west", "alice");
        ctx.health("eu-west", RegionHealth.UNHEALTHY);  // between the request and its validation

        ctx.runSoonTasks();

        List<Tx> txs = ctx.since(1);
        assertEquals(1, txs.size());
        assertNull(txs.get(0).placement(), "writes were never paused: no placement change");
        MigrationEvent.StateChanged failed = assertChanged(txs.get(0).events(), FAILED, 4, "", t0);
        assertTrue(failed.reason().startsWith("validation failed [target_unhealthy]"), failed.reason());
        assertEquals(FAILED, executor.get("m1").orElseThrow().state());
        assertEquals(1.0, counter("failed"));
        assertEquals(0, timer(MetricNames.MIGRATION_WRITE_PAUSE).count(), "writes were never paused");
    }

    // ---- timeout and cancel ----

    @Test
    void shouldRollBackWhenTheDrainTimesOut() {
        runToDraining();
        clock.advance(Duration.ofSeconds(30));
        executor.tick(clock.millis());
        assertEquals(DRAINING, executor.get("m1").orElseThrow().state(), "30 s are not over yet");

        clock.advance(Duration.ofMillis(1));
        int before = ctx.committed.size();
        executor.tick(clock.millis());

        Tx rollback = ctx.last();
        assertEquals(initial.withEpoch(6), rollback.placement(), "primary unchanged, writes active, epoch bumped");
        assertEquals(WriteState.ACTIVE, rollback.placement().writes());
        assertEquals(new Position(P, 101), rollback.fence());
        assertEquals("migration-rollback", rollback.reason());
        MigrationEvent.StateChanged failed = assertChanged(rollback.events(), FAILED, 6, "3:101", clock.millis());
        assertTrue(failed.reason().startsWith("timed out after 30000 ms in state draining"), failed.reason());
        assertTrue(failed.reason().contains("writes resumed on us-east at placement epoch 6"), failed.reason());
        assertEquals(1, ctx.since(before).size(), "one transaction");
        assertEquals(FAILED, executor.get("m1").orElseThrow().state());
        assertEquals(1.0, counter("failed"));
        assertEquals(30_001, timer(MetricNames.MIGRATION_WRITE_PAUSE).totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldRollBackAtOnceWhenTheTargetTurnsUnhealthyWhileDraining() {
        runToDraining();
        clock.advance(Duration.ofSeconds(1));
        ctx.health("eu-west", RegionHealth.SUSPECT);
        executor.tick(clock.millis());
        assertEquals(DRAINING, executor.get("m1").orElseThrow().state(), "suspect only: it may come back");

        clock.advance(Duration.ofSeconds(2));
        ctx.health("eu-west", RegionHealth.UNHEALTHY);
        int before = ctx.committed.size();
        executor.tick(clock.millis());

        Tx rollback = ctx.last();
        assertEquals(1, ctx.since(before).size(), "one transaction");
        assertEquals(initial.withEpoch(6), rollback.placement(), "primary unchanged, writes active, epoch bumped");
        MigrationEvent.StateChanged failed = assertChanged(rollback.events(), FAILED, 6, "3:101", clock.millis());
        assertTrue(failed.reason().startsWith("eu-west became unhealthy while draining"), failed.reason());
        assertTrue(failed.reason().contains("writes resumed on us-east at placement epoch 6"), failed.reason());
        assertEquals(3_000, timer(MetricNames.MIGRATION_WRITE_PAUSE).totalTime(TimeUnit.MILLISECONDS),
                "paused 3 s, not the 30 s timeout");
    }

    @Test
    void shouldRollBackWhenCancelledDuringTheDrain() {
        runToDraining();
        clock.advance(Duration.ofSeconds(2));
        int before = ctx.committed.size();

        Migration cancelled = executor.cancel("m1", "bob");

        assertEquals(CANCELLED, cancelled.state());
        assertTrue(cancelled.cancelRequested());
        List<Tx> txs = ctx.since(before);
        assertEquals(2, txs.size(), txs.toString());
        assertEquals(List.of(new MigrationEvent.CancelRequested("m1", ACME, "bob", clock.millis())),
                txs.get(0).events());
        assertEquals(initial.withEpoch(6), txs.get(1).placement());
        MigrationEvent.StateChanged event = assertChanged(txs.get(1).events(), CANCELLED, 6, "3:101", clock.millis());
        assertTrue(event.reason().startsWith("cancelled by bob in state draining"), event.reason());
        assertEquals(1.0, counter("cancelled"));
    }

    @Test
    void shouldCancelARequestedMigrationWithoutTouchingThePlacement() {
        executor.start(ACME, "eu-west", "alice");
        Migration cancelled = executor.cancel("m1", "bob");  // before the controller validated it

        assertEquals(CANCELLED, cancelled.state());
        List<Tx> txs = ctx.since(1);
        assertEquals(2, txs.size());
        assertTrue(txs.stream().allMatch(t -> t.placement() == null));
        assertChanged(txs.get(1).events(), CANCELLED, 4, "", clock.millis());
        ctx.runSoonTasks();
        assertEquals(3, ctx.committed.size(), "the queued validation finds it cancelled");
    }

    @Test
    void shouldTreatASecondCancelAsDone() {
        runToDraining();
        Migration first = executor.cancel("m1", "bob");
        int before = ctx.committed.size();

        Migration second = executor.cancel("m1", "carol");

        assertEquals(first, second);
        assertEquals(before, ctx.committed.size(), "the second cancel writes nothing");
        assertEquals(1.0, counter("cancelled"));
    }

    @Test
    void shouldRefuseToCancelAfterTheSwitch() {
        runToDraining();
        ctx.applied("eu-west", P, 100);
        executor.tick(clock.millis());
        assertEquals(COMPLETED, executor.get("m1").orElseThrow().state());
        int before = ctx.committed.size();

        MigrationException e = assertRefused(AlreadySwitchedException.class, "already_switched", 409,
                () -> executor.cancel("m1", "bob"));

        assertEquals("m1", e.migrationId());
        assertEquals(ACME, e.tenant());
        assertEquals(before, ctx.committed.size());
        assertRefused(MigrationNotFoundException.class, "migration_not_found", 404,
                () -> executor.cancel("nope", "bob"));
    }

    @Test
    void shouldEndAMigrationStuckBeforeThePauseWithoutAPlacementChange() {
        ctx.failPublishes = true;  // the pause transaction is never committed
        executor.start(ACME, "eu-west", "alice");
        ctx.runSoonTasks();
        assertEquals(VALIDATED, executor.get("m1").orElseThrow().state());
        int reads = source.reads.get();

        clock.advance(Duration.ofSeconds(31));
        ctx.failPublishes = false;
        int before = ctx.committed.size();
        executor.tick(clock.millis());

        assertTrue(source.reads.get() > reads, "after a failed transaction the book is rebuilt from the log");
        List<Tx> txs = ctx.since(before);
        assertEquals(1, txs.size());
        assertNull(txs.get(0).placement(), "writes were never paused");
        MigrationEvent.StateChanged failed = assertChanged(txs.get(0).events(), FAILED, 4, "", clock.millis());
        assertTrue(failed.reason().startsWith("timed out after 30000 ms in state validated"), failed.reason());
    }

    // ---- the placement changed underneath ----

    @Test
    void shouldFailAndResumeWritesWhenAFailoverMovedThePausedTenant() {
        runToDraining();
        // A failover promoted eu-west, keeping writes paused (epoch 5 -> 7).
        ctx.view.put(ACME, initial.withPrimary("eu-west", 7).withWrites(WriteState.PAUSED, 7));
        clock.advance(Duration.ofSeconds(1));

        executor.tick(clock.millis());

        Tx tx = ctx.last();
        assertEquals(initial.withPrimary("eu-west", 8), tx.placement(), "writes resumed where the tenant now is");
        MigrationEvent.StateChanged failed = assertChanged(tx.events(), FAILED, 8, "3:101", clock.millis());
        assertTrue(failed.reason().contains("changed underneath the migration (expected epoch 5, found 7"),
                failed.reason());
    }

    @Test
    void shouldOnlyFailWhenTheNewPlacementIsNotPaused() {
        runToDraining();
        ctx.view.put(ACME, initial.withPrimary("eu-west", 9));
        executor.tick(clock.millis());

        Tx tx = ctx.last();
        assertNull(tx.placement());
        assertChanged(tx.events(), FAILED, 9, "", clock.millis());
    }

    // ---- dry run ----

    @Test
    void shouldPlanWithoutWritingAnything() {
        executor.tick(clock.millis());
        clock.advance(Duration.ofSeconds(1));
        ctx.walEnd.put(P, 150L);
        ctx.applied("eu-west", P, 145);
        executor.tick(clock.millis());

        MigrationPlan plan = executor.plan(ACME, "eu-west");

        assertEquals(List.of(), ctx.committed, "a dry run writes nothing");
        assertEquals(List.of(), executor.forTenant(ACME));
        assertTrue(plan.valid());
        assertEquals("", plan.errorCode());
        assertEquals("us-east", plan.fromRegion());
        assertEquals(4, plan.placementEpoch());
        assertEquals(List.of("validate", "pause", "drain", "switch"),
                plan.steps().stream().map(MigrationPlan.Step::name).toList());
        assertEquals(4, plan.targetLagEntries(), "end 150 - 1 - applied 145");
        assertEquals(50.0, plan.walEntriesPerSecond(), 0.001);
        assertEquals(1_000 + 80, plan.estimatedDrainMs(), "a heartbeat + 4 entries at 50/s");
        assertFalse(plan.overPauseBudget());
        assertEquals(5_000, plan.pauseBudgetMs());
    }

    @Test
    void shouldSayWhenThePlannedDrainIsOverThePauseBudget() {
        ctx.applied("eu-west", P, 10);
        executor.tick(clock.millis());
        clock.advance(Duration.ofSeconds(1));
        ctx.walEnd.put(P, 110L);  // 10 entries/s; eu-west does not move
        executor.tick(clock.millis());

        MigrationPlan plan = executor.plan(ACME, "eu-west");

        assertTrue(plan.valid(), "99 entries behind is within the lag limit");
        assertEquals(99, plan.targetLagEntries());
        assertEquals(1_000 + 9_900, plan.estimatedDrainMs());
        assertTrue(plan.overPauseBudget());
        assertEquals(List.of(), ctx.committed);
    }

    @Test
    void shouldReportValidationProblemsInThePlanButThrowForUnknownTenantsAndRegions() {
        MigrationPlan notReplica = executor.plan(ACME, "ap-south");
        assertFalse(notReplica.valid());
        assertEquals("not_a_replica", notReplica.errorCode());
        assertTrue(notReplica.problem().contains("add ap-south"), notReplica.problem());
        assertRefused(TenantNotFoundException.class, "tenant_not_found", 404, () -> executor.plan("nobody", "eu-west"));
        assertRefused(UnknownRegionException.class, "unknown_region", 400, () -> executor.plan(ACME, "mars"));
        assertEquals(List.of(), ctx.committed);
    }

    // ---- a new controller ----

    @Test
    void shouldRebuildFromTheLogThenFinishASwitchedMigrationAndContinueADrainingOne() {
        long t = clock.millis() - 5_000;
        Placement beta = new Placement("beta", "eu-west", List.of("us-east", "eu-west"), 4, WriteState.ACTIVE,
                ConflictStrategy.MERGE, ReplicationMode.SINGLE_PRIMARY);
        ctx.partitions.put("beta", 5);
        ctx.view.put("beta", beta);
        ctx.view.put(ACME, initial.withWrites(WriteState.PAUSED, 5));
        List<MigrationEvent> log = List.of(
                new MigrationEvent.Requested("d1", ACME, "us-east", "eu-west", 30_000, "alice", t),
                new MigrationEvent.Requested("s1", "beta", "us-east", "eu-west", 30_000, "alice", t),
                changed("d1", ACME, VALIDATED, 4, "", t + 1),
                changed("s1", "beta", VALIDATED, 2, "", t + 1),
                changed("d1", ACME, WRITES_PAUSED, 5, "3:100", t + 2),
                changed("s1", "beta", WRITES_PAUSED, 3, "5:40", t + 2),
                changed("d1", ACME, DRAINING, 5, "3:100", t + 3),
                changed("s1", "beta", DRAINING, 3, "5:40", t + 3),
                new MigrationEvent.Progress("d1", ACME, "3:100", 90, 10, 3.0, 6, t + 4),
                changed("s1", "beta", SWITCHED, 4, "5:41", t + 5),
                new MigrationEvent.Requested("c1", ACME, "eu-west", "us-east", 30_000, "alice", t - 60_000),
                changed("c1", ACME, VALIDATED, 2, "", t - 59_000),
                changed("c1", ACME, CANCELLED, 2, "", t - 58_000));
        ctx.log.clear();
        ctx.log.addAll(log);
        executor.onDeactivated();
        MigrationExecutor successor = newExecutor();

        successor.onActivated(ctx);
        assertEquals(List.of(), ctx.committed, "rebuilding writes nothing");
        assertEquals(DRAINING, successor.get("d1").orElseThrow().state());
        assertEquals(10, successor.get("d1").orElseThrow().remainingEntries());
        assertEquals(SWITCHED, successor.get("s1").orElseThrow().state());
        assertEquals(CANCELLED, successor.get("c1").orElseThrow().state());
        assertEquals(List.of("c1", "d1"), successor.forTenant(ACME).stream().map(Migration::id).toList());
        ctx.runSoonTasks();

        // The switched one completes (an event, no placement change: the switch committed before).
        assertEquals(1, ctx.committed.size(), ctx.committed.toString());
        assertNull(ctx.committed.get(0).placement());
        assertChanged(ctx.committed.get(0).events(), COMPLETED, 4, "", clock.millis());
        assertEquals(COMPLETED, successor.get("s1").orElseThrow().state());
        // The draining one keeps draining, then switches.
        assertEquals(DRAINING, successor.get("d1").orElseThrow().state());
        ctx.applied("eu-west", P, 100);
        successor.tick(clock.millis());
        Tx switched = ctx.last();
        assertEquals("eu-west", switched.placement().primary());
        assertEquals(6, switched.placement().epoch());
        assertEquals(List.of(SWITCHED, COMPLETED), switched.events().stream()
                .map(e -> ((MigrationEvent.StateChanged) e).state()).toList());
        assertEquals(2.0, counter("completed"), "both finished by this controller; the cancelled one is history");
    }

    @Test
    void shouldRollBackATimedOutMigrationFoundOnTakeOver() {
        long t = clock.millis() - 60_000;
        ctx.view.put(ACME, initial.withWrites(WriteState.PAUSED, 5));
        ctx.log.addAll(List.of(
                new MigrationEvent.Requested("d1", ACME, "us-east", "eu-west", 30_000, "alice", t),
                changed("d1", ACME, VALIDATED, 4, "", t),
                changed("d1", ACME, WRITES_PAUSED, 5, "3:100", t)));
        executor.onDeactivated();
        MigrationExecutor successor = newExecutor();

        successor.onActivated(ctx);
        ctx.runSoonTasks();

        Tx rollback = ctx.last();
        assertEquals(initial.withEpoch(6), rollback.placement());
        MigrationEvent.StateChanged failed = assertChanged(rollback.events(), FAILED, 6, "3:100", clock.millis());
        assertTrue(failed.reason().startsWith("timed out after 30000 ms in state writes_paused"), failed.reason());
    }

    @Test
    void shouldSeeTheSameMigrationsAfterARebuildAsTheControllerThatRanThem() {
        runToDraining();
        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());  // a progress report
        ctx.applied("eu-west", P, 100);
        executor.tick(clock.millis());
        executor.start(ACME, "us-east", "alice");  // and back, cancelled
        executor.cancel("m2", "bob");
        List<Migration> original = executor.forTenant(ACME);
        executor.onDeactivated();

        MigrationExecutor successor = newExecutor();
        successor.onActivated(ctx);

        assertEquals(original, successor.forTenant(ACME));
    }

    // ---- not the controller; threads ----

    @Test
    void shouldSendCallersToTheControllerWhenNotActive() {
        MigrationExecutor idle = newExecutor();
        assertAllNotController(idle);
        executor.onDeactivated();
        assertAllNotController(executor);
        assertEquals(0, gauge());
        assertTrue(source.closes.get() >= 1, "the term's Kafka clients are closed");
    }

    @Test
    void shouldAnswerUnavailableUntilTheLogCouldBeRead() {
        executor.onDeactivated();
        source.failReads = true;
        MigrationExecutor successor = newExecutor();
        successor.onActivated(ctx);  // must not throw
        MigrationException e = assertRefused(MigrationsUnavailableException.class, "migrations_unavailable", 503,
                () -> successor.get("m1"));
        assertTrue(e.retriable());
        source.failReads = false;
        successor.tick(clock.millis());
        assertThrows(MigrationsUnavailableException.class, successor::active, "the next try waits 10 s");
        clock.advance(Duration.ofSeconds(10));
        successor.tick(clock.millis());
        assertEquals(List.of(), successor.active());
    }

    @Test
    void shouldRunCommandsFromOtherThreadsOnTheDutiesThread() throws Exception {
        duties = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-duties"));
        ctx.duties = duties;
        MigrationExecutor threaded = newExecutor();
        executor.onDeactivated();
        duties.submit(() -> threaded.onActivated(ctx)).get();

        Migration m = threaded.start(ACME, "eu-west", "alice");

        assertEquals(REQUESTED, m.state());
        assertEquals("test-duties", ctx.committed.get(0).thread());
        duties.submit(() -> { }).get();  // the queued steps ran
        assertEquals(DRAINING, threaded.get(m.id()).orElseThrow().state());
        assertTrue(ctx.committed.stream().allMatch(t -> t.thread().equals("test-duties")));
    }

    @Test
    void shouldFailAWaitingCallWhenTheControllerStepsDown() throws Exception {
        duties = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-duties"));
        AtomicInteger handedOver = new AtomicInteger();
        ctx.duties = task -> {
            handedOver.incrementAndGet();
            duties.execute(task);
        };
        MigrationExecutor threaded = newExecutor();
        executor.onDeactivated();
        duties.submit(() -> threaded.onActivated(ctx)).get();
        duties.submit(() -> { }).get();
        CountDownLatch release = new CountDownLatch(1);
        duties.submit(() -> release.await(20, TimeUnit.SECONDS));  // the duties thread is busy
        int before = handedOver.get();

        CompletableFuture<Migration> call = CompletableFuture.supplyAsync(() -> threaded.start(ACME, "eu-west", "a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> handedOver.get() > before);
        threaded.onDeactivated();

        ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
        assertInstanceOf(NotControllerException.class, e.getCause());
        release.countDown();
        duties.submit(() -> { }).get();
        assertEquals(List.of(), ctx.committed, "the command never ran");
    }

    @Test
    void shouldWaitForThePlacementViewAfterATakeOver() {
        long t = clock.millis() - 1_000;
        ctx.log.addAll(List.of(
                new MigrationEvent.Requested("d1", ACME, "us-east", "eu-west", 30_000, "alice", t),
                changed("d1", ACME, VALIDATED, 4, "", t),
                changed("d1", ACME, WRITES_PAUSED, 5, "3:100", t),
                changed("d1", ACME, DRAINING, 5, "3:100", t)));
        ctx.applied("eu-west", P, 100);  // drained
        executor.onDeactivated();
        MigrationExecutor successor = newExecutor();
        successor.onActivated(ctx);
        ctx.runSoonTasks();
        successor.tick(clock.millis());
        assertEquals(List.of(), ctx.committed, "the view (epoch 4) has not caught up with the pause (epoch 5) yet");

        ctx.view.put(ACME, initial.withWrites(WriteState.PAUSED, 5));
        successor.tick(clock.millis());

        assertEquals(6, ctx.last().placement().epoch());
        assertEquals(COMPLETED, successor.get("d1").orElseThrow().state());
    }

    // ---- helpers ----

    private void runToDraining() {
        executor.start(ACME, "eu-west", "alice");
        ctx.runSoonTasks();
        Migration m = executor.get("m1").orElseThrow();
        assertEquals(DRAINING, m.state());
        assertEquals("3:100", m.pauseFence());
        assertEquals(5, m.placementEpoch());
    }

    private static MigrationEvent.StateChanged assertChanged(List<MigrationEvent> events, MigrationState state,
                                                             long placementEpoch, String fence, long timestamp) {
        assertEquals(1, events.size(), events.toString());
        MigrationEvent.StateChanged e = assertInstanceOf(MigrationEvent.StateChanged.class, events.get(0));
        assertEquals(state, e.state(), e.toString());
        assertEquals(placementEpoch, e.placementEpoch(), e.toString());
        assertEquals(fence, e.fencePosition(), e.toString());
        assertEquals(CONTROLLER_EPOCH, e.controllerEpoch(), e.toString());
        assertEquals(timestamp, e.timestamp(), e.toString());
        assertNotEquals("", e.reason());
        return e;
    }

    private static MigrationEvent.StateChanged changed(String id, String tenant, MigrationState state, long epoch,
                                                       String fence, long at) {
        return new MigrationEvent.StateChanged(id, tenant, state, epoch, fence, 6, state.wireName(), at);
    }

    private static <E extends MigrationException> E assertRefused(Class<E> type, String code, int status,
                                                                 Executable call) {
        E e = assertThrows(type, call::execute);
        assertEquals(code, e.code());
        assertEquals(status, e.status());
        return e;
    }

    private static void assertAllNotController(MigrationExecutor e) {
        assertThrows(NotControllerException.class, () -> e.plan(ACME, "eu-west"));
        assertThrows(NotControllerException.class, () -> e.start(ACME, "eu-west", "a"));
        assertThrows(NotControllerException.class, () -> e.get("m1"));
        assertThrows(NotControllerException.class, () -> e.forTenant(ACME));
        assertThrows(NotControllerException.class, e::active);
        assertThrows(NotControllerException.class, () -> e.cancel("m1", "a"));
    }

    private double counter(String state) {
        return registry.get(MetricNames.MIGRATION_TOTAL).tag(MetricNames.TAG_STATE, state).counter().count();
    }

    private Timer timer(String name) {
        return registry.get(name).timer();
    }

    private double oldestAgeSeconds() {
        return registry.get(MetricNames.MIGRATION_OLDEST_AGE_SECONDS).gauge().value();
    }

    private double gauge() {
        return registry.get(MetricNames.MIGRATION_IN_PROGRESS).gauge().value();
    }
}
