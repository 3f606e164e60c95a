package io.meridian.migration;

import static io.meridian.infra.model.MigrationState.COMPLETED;
import static io.meridian.infra.model.MigrationState.DRAINING;
import static io.meridian.infra.model.MigrationState.SWITCHED;
import static io.meridian.infra.model.MigrationState.WRITES_PAUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.health.RegionHealth;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.testkit.MutableClock;
import io.meridian.migration.testing.FakeAppliedProbe;
import io.meridian.migration.testing.FakeAppliedProbe.Question;
import io.meridian.migration.testing.FakeControllerContext;
import io.meridian.migration.testing.FakeControllerContext.Tx;
import io.meridian.migration.testing.FakeMigrationSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
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
 * The drain as the controller sees it when it asks the target directly ({@link AppliedProbe}): the switch follows
 * the target's answer at once (no tick, no heartbeat), never an answer short of the pause fence or about another
 * region or partition; the heartbeats stay the fallback; a term that ended or was fenced switches nothing. The
 * clock moves only by hand and the target's heartbeats stay behind the fence unless a test moves them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MigrationDrainTest {
    private static final String ACME = "acme";
    private static final int P = 3;
    private static final long FENCE = 100;
    private static final MigrationSettings SETTINGS = new MigrationSettings(Set.of("us-east", "eu-west", "ap-south"),
            12, Duration.ofSeconds(30), 1_000, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10));

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
    private final FakeControllerContext ctx = new FakeControllerContext(7, clock);
    private final FakeMigrationSource source = new FakeMigrationSource(ctx);
    private final FakeAppliedProbe probe = new FakeAppliedProbe();
    private final AtomicInteger ids = new AtomicInteger();
    private final Placement initial = new Placement(ACME, "us-east", List.of("us-east", "eu-west"), 4,
            WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);
    private MigrationExecutor executor;

    @BeforeEach
    void setUp() {
        ctx.partitions.put(ACME, P);
        ctx.view.put(ACME, initial);
        ctx.walEnd.put(P, FENCE);
        ctx.region("us-east", RegionHealth.HEALTHY, Map.of(P, 99L));
        ctx.region("eu-west", RegionHealth.HEALTHY, Map.of(P, 95L));
        ctx.region("ap-south", RegionHealth.HEALTHY, Map.of(P, 90L));
        executor = new MigrationExecutor(SETTINGS, () -> source, probe, new SimpleMeterRegistry(), clock,
                () -> "m" + ids.incrementAndGet());
        executor.onActivated(ctx);
        ctx.runSoonTasks();
    }

    @Test
    void shouldPauseStartTheDrainAndAskTheTargetInOneGo() {
        startDraining();

        Tx pause = ctx.last();
        assertEquals(WriteState.PAUSED, pause.placement().writes());
        assertEquals(List.of(WRITES_PAUSED, DRAINING), states(pause), "one transaction pauses and starts the drain");
        assertEquals(1, probe.questions.size());
        Question asked = probe.last();
        assertEquals("eu-west", asked.region());
        assertEquals(P, asked.partition());
        assertEquals(FENCE, asked.minOffset(), "answer once the pause fence itself is applied");
        assertTrue(asked.maxWait().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void shouldSwitchAsSoonAsTheTargetAnswersThatItAppliedThePauseFence() {
        startDraining();
        int before = ctx.committed.size();

        clock.advance(Duration.ofMillis(120));
        probe.last().answer("eu-west-1", FENCE);  // no tick, heartbeats still at 95
        ctx.runSoonTasks();

        List<Tx> txs = ctx.since(before);
        assertEquals(1, txs.size(), txs.toString());
        Tx switched = txs.get(0);
        assertEquals(initial.withPrimary("eu-west", 6), switched.placement());
        assertEquals(List.of(SWITCHED, COMPLETED), states(switched));
        String reason = ((MigrationEvent.StateChanged) switched.events().get(0)).reason();
        assertTrue(reason.startsWith("eu-west applied up to 3:100 as eu-west-1 answered (asked 0 ms into the pause,"
                + " answered 120 ms later) (pause fence 3:100)"), reason);
        assertEquals(COMPLETED, executor.get("m1").orElseThrow().state());
    }

    @Test
    void shouldNeverSwitchOnAnAnswerShortOfThePauseFence() {
        startDraining();
        int before = ctx.committed.size();

        probe.last().answer("eu-west-1", FENCE - 1);
        ctx.runSoonTasks();
        executor.tick(clock.millis());

        assertEquals(before, ctx.committed.size(), "one entry short: no switch");
        assertEquals(DRAINING, executor.get("m1").orElseThrow().state());
    }

    @Test
    void shouldAskAgainAtOnceWhenTheTargetAnsweredAfterAFullWait() {
        startDraining();
        Question first = probe.last();

        clock.advance(first.maxWait());
        first.answer("eu-west-1", FENCE - 10);  // a slow drain: the target answered when the wait ran out
        ctx.runSoonTasks();

        assertEquals(2, probe.questions.size(), "asked again without waiting for a tick");
        probe.last().answer("eu-west-1", FENCE + 3);
        ctx.runSoonTasks();
        assertEquals(COMPLETED, executor.get("m1").orElseThrow().state());
    }

    @Test
    void shouldAskOnlyOnceAtATimeAndAnAnsweredTooEarlyQuestionAgainAtTheNextTick() {
        startDraining();
        executor.tick(clock.millis());
        executor.tick(clock.millis());
        assertEquals(1, probe.questions.size(), "a question is in flight");

        probe.last().answer("eu-west-1", FENCE - 10);  // answered at once (not the waiting kind): no new question yet
        ctx.runSoonTasks();
        assertEquals(1, probe.questions.size());

        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());
        assertEquals(2, probe.questions.size());
    }

    @Test
    void shouldIgnoreAnAnswerAboutAnotherRegionOrPartition() {
        startDraining();
        int before = ctx.committed.size();

        probe.last().answer().complete(new AppliedProbe.Answer("ap-south", "ap-south-1", P, FENCE));
        ctx.runSoonTasks();
        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());
        probe.last().answer().complete(new AppliedProbe.Answer("eu-west", "eu-west-1", P + 1, FENCE));
        ctx.runSoonTasks();
        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());

        assertEquals(DRAINING, executor.get("m1").orElseThrow().state());
        assertTrue(ctx.since(before).stream().allMatch(tx -> tx.placement() == null), "no switch");
    }

    @Test
    void shouldFollowTheHeartbeatsWhenTheTargetCannotBeAsked() {
        startDraining();
        probe.last().answer().completeExceptionally(new ConnectException("connection refused"));
        ctx.runSoonTasks();
        assertEquals(DRAINING, executor.get("m1").orElseThrow().state());

        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());
        assertEquals(2, probe.questions.size(), "asked again at the next tick");

        ctx.applied("eu-west", P, FENCE);
        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());
        Tx switched = ctx.last();
        assertEquals("eu-west", switched.placement().primary());
        String reason = ((MigrationEvent.StateChanged) switched.events().get(0)).reason();
        assertTrue(reason.contains("as its heartbeats report"), reason);
    }

    @Test
    void shouldStillWaitForAHealthyTargetAfterItAnswered() {
        startDraining();
        ctx.health("eu-west", RegionHealth.SUSPECT);
        int before = ctx.committed.size();

        probe.last().answer("eu-west-1", FENCE);
        ctx.runSoonTasks();
        assertEquals(before, ctx.committed.size(), "drained, but the health monitor does not trust eu-west now");

        ctx.health("eu-west", RegionHealth.HEALTHY);
        clock.advance(Duration.ofSeconds(1));
        executor.tick(clock.millis());
        assertEquals(COMPLETED, executor.get("m1").orElseThrow().state(), "the answer was kept");
    }

    @Test
    void shouldSwitchNothingOnAnAnswerThatArrivesAfterTheTermEnded() {
        startDraining();
        Question asked = probe.last();
        int before = ctx.committed.size();

        executor.onDeactivated();
        asked.answer("eu-west-1", FENCE);
        ctx.runSoonTasks();

        assertTrue(asked.answer().isCancelled(), "the question is dropped with the term");
        assertEquals(before, ctx.committed.size());
    }

    @Test
    void shouldSwitchNothingWhenANewerControllerFencedThisOne() {
        startDraining();
        int before = ctx.committed.size();
        ctx.fenced = true;

        probe.last().answer("eu-west-1", FENCE);
        ctx.runSoonTasks();

        assertEquals(before, ctx.committed.size());
        assertEquals(DRAINING, executor.get("m1").orElseThrow().state());
    }

    @Test
    void shouldStopAskingWhenTheMigrationEnds() {
        startDraining();
        Question asked = probe.last();

        executor.cancel("m1", "bob");

        assertTrue(asked.answer().isCancelled());
        assertEquals(initial.withEpoch(6), ctx.last().placement(), "rolled back: writes active on us-east");
    }

    private void startDraining() {
        executor.start(ACME, "eu-west", "alice");
        ctx.runSoonTasks();
        Migration m = executor.get("m1").orElseThrow();
        assertEquals(DRAINING, m.state());
        assertEquals(new Position(P, FENCE).toString(), m.pauseFence());
    }

    private static List<Object> states(Tx tx) {
        return tx.events().stream().map(e -> (Object) ((MigrationEvent.StateChanged) e).state()).toList();
    }
}
