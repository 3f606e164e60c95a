package io.meridian.migration;

import static io.meridian.migration.FailbackFixtures.failover;
import static io.meridian.migration.FailbackFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverTrigger;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.testkit.MutableClock;
import io.meridian.migration.testing.FakeControllerContext;
import io.meridian.migration.testing.FakeFailbackLog;
import io.meridian.migration.testing.FakeMigrationSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failback duty with the real migration executor on a fake controller context and a hand-moved clock: what it
 * writes to the migration event log, when it starts the migration, one at a time per region, cancel and trigger, and
 * a new controller that honours an earlier cancel.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailbackDutyTest {
    private static final int P = 3;
    private static final Duration AFTER = Duration.ofMinutes(10);
    private static final MigrationSettings MIGRATIONS = new MigrationSettings(Set.of("us-east", "eu-west", "ap-south"),
            12, Duration.ofSeconds(30), 1_000, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakeControllerContext ctx = new FakeControllerContext(4, clock);
    private final List<FailoverEvent> failovers = FakeFailbackLog.failovers();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger ids = new AtomicInteger();
    private MigrationExecutor executor;
    private FailbackDuty duty;

    @BeforeEach
    void setUp() {
        for (String region : List.of("us-east", "eu-west", "ap-south")) {
            ctx.region(region, RegionHealth.HEALTHY, Map.of(P, 99L));
        }
        ctx.walEnd.put(P, 100L);
        place("acme", 5);
        failovers.add(failover("us-east", "eu-west", clock.millis(), Map.of("acme", 5L)));
        activate(settings(AFTER, Duration.ofMinutes(1), 1));
    }

    /** A tenant that an automatic failover moved from us-east (its preferred primary) to eu-west at {@code epoch}. */
    private void place(String tenant, long epoch) {
        ctx.partitions.put(tenant, P);
        ctx.view.put(tenant, new Placement(tenant, "eu-west", List.of("us-east", "eu-west", "ap-south"), epoch,
                WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY).withPreferredPrimary("us-east",
                epoch));
    }

    private void activate(FailbackSettings settings) {
        executor = new MigrationExecutor(MIGRATIONS, () -> new FakeMigrationSource(ctx), registry, clock,
                () -> "m" + ids.incrementAndGet());
        duty = new FailbackDuty(settings, executor, () -> new FakeFailbackLog(failovers, ctx), registry, clock);
        executor.onActivated(ctx);
        duty.onActivated(ctx);
        ctx.runSoonTasks();
    }

    /** One controller tick: the executor first, then the failback duty (the order the node registers them in). */
    private void tick() {
        executor.tick(clock.millis());
        duty.tick(clock.millis());
        ctx.runSoonTasks();
    }

    private List<MigrationEvent.Failback> failbackEvents() {
        return ctx.log.stream().filter(e -> e instanceof MigrationEvent.Failback)
                .map(MigrationEvent.Failback.class::cast).toList();
    }

    private List<String> actions() {
        return failbackEvents().stream().map(e -> e.tenant() + ":" + e.action()).toList();
    }

    private double count(String outcome) {
        return registry.get(MetricNames.FAILBACK_TOTAL).tag(MetricNames.TAG_OUTCOME, outcome).counter().count();
    }

    /** Lets the migration's target pass its pause fence, so the migration switches and completes. */
    private void drain(String migrationId) {
        Migration m = executor.get(migrationId).orElseThrow();
        assertEquals(MigrationState.DRAINING, m.state(), m.toString());
        ctx.applied(m.toRegion(), P, Position.parse(m.pauseFence()).offset());
        tick();
    }

    @Test
    void shouldMoveTheTenantBackThroughAMigrationOnceThePreferredRegionWasHealthyLongEnough() {
        tick();
        assertEquals(List.of("acme:pending"), actions());
        assertEquals(List.of(), executor.forTenant("acme"));
        Failback waiting = duty.pending().get(0);
        assertEquals(Failback.WAITING, waiting.state());
        assertEquals("us-east", waiting.toRegion());
        assertEquals(clock.millis() + AFTER.toMillis(), waiting.eligibleAt());
        assertEquals(1.0, registry.get(MetricNames.FAILBACK_PENDING).gauge().value());

        clock.advance(AFTER.minusSeconds(1));
        tick();
        assertEquals(List.of(), executor.forTenant("acme"), "healthy for less than failback.after.ms");

        clock.advance(Duration.ofSeconds(1));
        tick();
        Migration migration = executor.forTenant("acme").get(0);
        assertEquals("us-east", migration.toRegion());
        assertEquals(List.of("acme:pending", "acme:started"), actions());
        assertEquals(migration.id(), failbackEvents().get(1).migrationId());
        assertEquals(Failback.RUNNING, duty.pending().get(0).state());

        executor.tick(clock.millis());
        ctx.applied("us-east", P, Position.parse(executor.get(migration.id()).orElseThrow().pauseFence()).offset());
        executor.tick(clock.millis());
        assertEquals(MigrationState.COMPLETED, executor.get(migration.id()).orElseThrow().state());
        // Before the duty's next tick: a trigger finds the tenant back, not a failback still running.
        assertThrows(FailbackNotPendingException.class, () -> duty.trigger("acme", "bob"));
        assertEquals("us-east", ctx.placement("acme").orElseThrow().primary());
        assertEquals("us-east", ctx.placement("acme").orElseThrow().preferredPrimary(),
                "the migration's switch keeps the preferred primary");
        tick();
        assertEquals(List.of("acme:pending", "acme:started", "acme:completed"), actions());
        assertEquals(List.of(), duty.pending());
        assertEquals(1.0, count("started"));
        assertEquals(1.0, count("completed"));
        assertEquals(0.0, count("rolled_back"));
    }

    @Test
    void shouldFindItsCandidatesWithoutScanningEveryPlacementEachTick() {
        for (int i = 0; i < 10_000; i++) {
            ctx.view.put("other-" + i, new Placement("other-" + i, "us-east", List.of("us-east", "eu-west"), 1,
                    WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY));
        }
        ctx.placementsCalls.set(0);
        tick();
        assertEquals(List.of("acme:pending"), actions(), "the tenant the failover moved is still found");
        assertEquals(0, ctx.placementsCalls.get(), "a tick asks for the tenants it knows, not for all 10,001");
    }

    @Test
    void shouldNotStartWhileAFailoverOfThePreferredRegionIsInhibited() {
        failovers.clear();
        duty.onDeactivated();
        // The region's own summary event opens the inhibit window, as the failover duty writes it.
        failovers.add(failover("us-east", "eu-west", clock.millis(), Map.of("acme", 5L)));
        activate(settings(AFTER, Duration.ofMinutes(30), 1));

        clock.advance(Duration.ofMinutes(29));
        tick();
        assertEquals(List.of(), executor.forTenant("acme"));
        assertTrue(duty.pending().get(0).reason().contains("inhibited"), duty.pending().get(0).reason());

        clock.advance(Duration.ofMinutes(1));
        tick();
        assertEquals(1, executor.forTenant("acme").size());
    }

    @Test
    void shouldFailBackOneTenantAtATimePerRegion() {
        place("beta", 8);
        failovers.add(failover("us-east", "eu-west", clock.millis(), Map.of("beta", 8L)));
        clock.advance(AFTER);
        tick();
        assertEquals(1, executor.active().size());
        String first = executor.active().get(0).tenant();
        String second = first.equals("acme") ? "beta" : "acme";
        assertEquals(List.of(), executor.forTenant(second));

        drain(executor.active().get(0).id());
        tick();
        assertEquals(1, executor.forTenant(second).size(), "the second starts once the first is back");
    }

    @Test
    void shouldNotFailBackACancelledTenantNotEvenUnderANewController() {
        tick();
        Failback cancelled = duty.cancel("acme", "alice");
        assertEquals("cancelled", cancelled.state());
        assertEquals(List.of("acme:pending", "acme:cancelled"), actions());
        assertEquals(List.of(), duty.pending());

        clock.advance(AFTER.multipliedBy(2));
        tick();
        assertEquals(List.of(), executor.forTenant("acme"));

        // A new controller term rebuilds from the log and honours the cancel.
        duty.onDeactivated();
        executor.onDeactivated();
        activate(settings(AFTER, Duration.ofMinutes(1), 1));
        tick();
        assertEquals(List.of(), executor.forTenant("acme"));
        assertEquals(List.of(), duty.pending());

        // A new automatic failover of the tenant makes a new failback.
        ctx.view.put("acme", ctx.placement("acme").orElseThrow().withEpoch(9));
        failovers.add(failover("us-east", "eu-west", clock.millis(), Map.of("acme", 9L)));
        tick();
        assertEquals(1, duty.pending().size());
        assertThrows(TenantNotFoundException.class, () -> duty.cancel("nobody-here", "alice"));
    }

    @Test
    void shouldCancelARunningFailbackByRollingItsMigrationBack() {
        clock.advance(AFTER);
        tick();
        Migration migration = executor.forTenant("acme").get(0);
        assertEquals(MigrationState.DRAINING, migration.state());

        duty.cancel("acme", "alice");
        assertEquals(MigrationState.CANCELLED, executor.get(migration.id()).orElseThrow().state());
        assertEquals("eu-west", ctx.placement("acme").orElseThrow().primary());
        assertEquals(WriteState.ACTIVE, ctx.placement("acme").orElseThrow().writes());
        clock.advance(AFTER.multipliedBy(3));
        tick();
        assertEquals(1, executor.forTenant("acme").size(), "no failback after the cancel");
        assertEquals(1.0, count("rolled_back"));
    }

    @Test
    void shouldStartAFailbackAtOnceWhenAnOperatorTriggersIt() {
        tick();
        Failback triggered = duty.trigger("acme", "bob");
        assertEquals(Failback.RUNNING, triggered.state());
        Migration migration = executor.get(triggered.migrationId()).orElseThrow();
        assertEquals("us-east", migration.toRegion());
        assertEquals("bob", failbackEvents().get(1).requestedBy());

        ctx.view.put("gamma", new Placement("gamma", "eu-west", List.of("eu-west", "us-east"), 1, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY));
        assertThrows(FailbackNotPendingException.class, () -> duty.trigger("gamma", "bob"));
        assertThrows(TenantNotFoundException.class, () -> duty.trigger("nobody-here", "bob"));
    }

    @Test
    void shouldRetryAfterARolledBackFailback() {
        clock.advance(AFTER);
        tick();
        Migration migration = executor.forTenant("acme").get(0);
        clock.advance(Duration.ofSeconds(31));  // past migration.timeout.ms without a drain: rolled back
        tick();
        tick();
        assertEquals(MigrationState.FAILED, executor.get(migration.id()).orElseThrow().state());
        assertEquals(List.of("acme:pending", "acme:started", "acme:rolled_back"), actions());
        assertEquals(1.0, count("rolled_back"));

        clock.advance(AFTER.minusSeconds(1));
        tick();
        assertEquals(1, executor.forTenant("acme").size());
        clock.advance(Duration.ofSeconds(1));
        tick();
        assertEquals(2, executor.forTenant("acme").size(), "retried after failback.after.ms");
    }

    @Test
    void shouldIgnoreManualFailoversAndTenantsMovedSince() {
        failovers.clear();
        duty.onDeactivated();
        failovers.add(failover(FailoverTrigger.MANUAL, "us-east", "eu-west", clock.millis(), Map.of("acme", 5L)));
        place("delta", 6);
        failovers.add(failover("us-east", "eu-west", clock.millis(), Map.of("delta", 6L)));
        ctx.view.put("delta", ctx.placement("delta").orElseThrow().withPrimary("ap-south", 7));  // an operator moved it
        activate(settings(AFTER, Duration.ofMinutes(1), 1));
        clock.advance(AFTER.multipliedBy(2));
        tick();
        assertEquals(List.of(), duty.pending());
        assertEquals(List.of(), executor.active());
    }

    @Test
    void shouldFailBackToWhereAChainOfAutomaticFailoversStarted() {
        // us-east -> eu-west (epoch 5), then eu-west -> ap-south (epoch 6): back to us-east.
        ctx.view.put("acme", ctx.placement("acme").orElseThrow().withPrimary("ap-south", 6));
        failovers.add(failover("eu-west", "ap-south", clock.millis(), Map.of("acme", 6L)));
        // A tenant failed over from a region it does not prefer is not failed back anywhere.
        place("omega", 4);
        ctx.view.put("omega", ctx.placement("omega").orElseThrow().withPreferredPrimary("ap-south", 4));
        failovers.add(failover("us-east", "eu-west", clock.millis(), Map.of("omega", 4L)));
        clock.advance(AFTER);
        tick();
        assertEquals(List.of("acme"), duty.pending().stream().map(Failback::tenant).toList());
        Migration migration = executor.forTenant("acme").get(0);
        assertEquals("ap-south", migration.fromRegion());
        assertEquals("us-east", migration.toRegion());
        assertEquals(List.of(), executor.forTenant("omega"));
    }

    @Test
    void shouldWaitWhileTheMigrationWouldBeRefused() {
        clock.advance(AFTER.minusSeconds(5));
        Migration other = executor.start("acme", "ap-south", "alice");  // an operator's migration runs
        clock.advance(Duration.ofSeconds(5));
        tick();
        assertEquals(List.of(other.id()), executor.forTenant("acme").stream().map(Migration::id).toList());
        assertTrue(duty.pending().get(0).reason().contains("migration_in_progress"), duty.pending().get(0).reason());

        executor.cancel(other.id(), "alice");
        tick();
        assertEquals(2, executor.forTenant("acme").size(), "the failback starts once the other migration ended");
        assertEquals("us-east", executor.forTenant("acme").get(1).toRegion());
    }

    @Test
    void shouldAnswerOnlyOnTheController() {
        duty.onDeactivated();
        assertThrows(NotControllerException.class, () -> duty.pending());
        assertThrows(NotControllerException.class, () -> duty.trigger("acme", "bob"));
        assertEquals(0.0, registry.get(MetricNames.FAILBACK_PENDING).gauge().value());
    }
}
