package io.meridian.election.failover;

import io.meridian.infra.model.Heartbeat;
import static io.meridian.election.failover.FailoverFixtures.NOW;
import static io.meridian.election.failover.FailoverFixtures.health;
import static io.meridian.election.failover.FailoverFixtures.placement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.failover.FailoverDecision.Inhibited;
import io.meridian.election.failover.FailoverDecision.NoQuorum;
import io.meridian.election.failover.FailoverDecision.NoTenantsToMove;
import io.meridian.election.failover.FailoverDecision.NotUnhealthy;
import io.meridian.election.failover.FailoverDecision.NotUnhealthyLongEnough;
import io.meridian.election.failover.FailoverDecision.Proceed;
import io.meridian.election.failover.FailoverDecision.Recovering;
import io.meridian.election.failover.FailoverDecision.Refused;
import io.meridian.election.health.HealthPolicy;
import io.meridian.election.health.HealthSnapshot;

import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionHealthMonitor;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WriteState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class FailoverPlannerTest {
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    private static final FailoverPolicy POLICY = FailoverPolicy.defaults(LEADER_TIMEOUT);
    private static final InhibitWindows NONE = InhibitWindows.empty(POLICY.inhibitWindow());
    private static final Map<String, Integer> PARTITIONS = Map.of("acme", 0, "globex", 1, "initech", 2, "hooli", 3);
    private static final ToIntFunction<String> PARTITION_OF = PARTITIONS::get;
    private static final FailoverPlanner PLANNER = new FailoverPlanner(POLICY, PARTITION_OF);
    private static final long EPOCH = 9;

    private static final Placement ACME = placement("acme", "us-east", "us-east", "eu-west", "ap-south");
    private static final Placement GLOBEX = placement("globex", "us-east", "us-east", "eu-west", "ap-south");
    private static final Placement INITECH = placement("initech", "eu-west", "eu-west", "us-east");
    private static final List<Placement> PLACEMENTS = List.of(ACME, GLOBEX, INITECH);

    /** us-east unhealthy for exactly the leader-timeout and suspected by both other regions. */
    private static FailoverFixtures.Health usEastDown() {
        return health()
                .unhealthy("us-east", NOW - LEADER_TIMEOUT.toMillis(), "eu-west", "ap-south")
                .healthy("eu-west", Map.of(0, 100L, 1, 200L))
                .healthy("ap-south", Map.of(0, 90L, 1, 250L));
    }

    private static FailoverPlan proceed(FailoverDecision decision) {
        return assertInstanceOf(Proceed.class, decision, decision.why()).failover();
    }

    private static TenantFailover tenant(FailoverPlan plan, String tenant) {
        return plan.tenants().stream().filter(t -> t.tenant().equals(tenant)).findFirst().orElseThrow();
    }

    // ---- when ------------------------------------------------------------------------------------------------

    @Test
    void shouldNotFailOverBeforeTheLeaderTimeout() {
        HealthSnapshot health = health()
                .unhealthy("us-east", NOW - LEADER_TIMEOUT.toMillis() + 1, "eu-west", "ap-south")
                .healthy("eu-west", Map.of()).healthy("ap-south", Map.of()).build();
        var refused = assertInstanceOf(Refused.class,
                PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW, EPOCH));
        assertEquals(List.of(new NotUnhealthyLongEnough(NOW - LEADER_TIMEOUT.toMillis() + 1, NOW + 1)),
                refused.refusals());
        assertTrue(refused.why().contains("eligible at " + (NOW + 1)), refused.why());
        proceed(PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW + 1, EPOCH));
    }

    @Test
    void shouldNotFailOverARegionThatIsNotUnhealthy() {
        for (RegionHealth state : List.of(RegionHealth.HEALTHY, RegionHealth.SUSPECT)) {
            HealthSnapshot health = usEastDown().region("us-east", state, 5, Map.of(),
                    Map.of("eu-west", Set.of("eu-west-1"), "ap-south", Set.of("ap-south-1"))).build();
            var refused = assertInstanceOf(Refused.class,
                    PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW, EPOCH));
            assertEquals(List.of(new NotUnhealthy(state, 5)), refused.refusals());
        }
    }

    @Test
    void shouldNotFailOverWithoutAQuorumOfObserversAndListThem() {
        HealthSnapshot health = usEastDown().unhealthy("us-east", 0, "eu-west").build();
        var refused = assertInstanceOf(Refused.class,
                PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW, EPOCH));
        NoQuorum noQuorum = refused.refusal(NoQuorum.class).orElseThrow();
        assertEquals(Set.of("eu-west"), noQuorum.observers());
        assertEquals(2, noQuorum.required(), "majority of the 2 other regions");
        assertEquals(2, noQuorum.otherRegions());
        assertTrue(refused.why().contains("[eu-west]"), refused.why());
        // With an explicit quorum of one observer, the same view is enough.
        var lenient = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF);
        assertEquals(Set.of("eu-west"), proceed(lenient.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW,
                EPOCH)).observers());
    }

    @Test
    void shouldRequireAMajorityOfTheOtherRegionsByDefault() {
        assertEquals(1, POLICY.requiredObservers(1));
        assertEquals(2, POLICY.requiredObservers(2));
        assertEquals(2, POLICY.requiredObservers(3));
        assertEquals(3, POLICY.requiredObservers(4));
        assertEquals(1, POLICY.requiredObservers(0), "a lone region can never gather a quorum");
        // five regions, two observers of four others: not enough
        HealthSnapshot health = usEastDown().healthy("sa-east", Map.of()).healthy("af-south", Map.of()).build();
        assertTrue(PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW, EPOCH).plan().isEmpty());
    }

    @Test
    void shouldListEveryUnmetCondition() {
        HealthSnapshot health = health().unhealthy("us-east", NOW - 1).healthy("eu-west", Map.of())
                .healthy("ap-south", Map.of()).build();
        InhibitWindows inhibit = NONE.withFailover("us-east", NOW - 1_000);
        var refused = assertInstanceOf(Refused.class,
                PLANNER.planAutomatic("us-east", health, List.of(INITECH), inhibit, NOW, EPOCH));
        assertEquals(List.of(NotUnhealthyLongEnough.class, NoQuorum.class, Inhibited.class, NoTenantsToMove.class),
                refused.refusals().stream().map(Object::getClass).toList());
        assertEquals(new Inhibited(NOW - 1_000 + 60_000), refused.refusal(Inhibited.class).orElseThrow());
    }

    @Test
    void shouldNotFailOverARegionWhoseHeartbeatsCameBack() {
        // A cold start: every region was unhealthy until its appliers beat, and a tenant was just placed on us-east.
        long since = NOW - LEADER_TIMEOUT.toMillis();
        // Its first heartbeat, inside the window still open:
        HealthSnapshot first = usEastDown().lastHeard("us-east", since, 300, 0, "eu-west", "ap-south").build();
        var refused = assertInstanceOf(Refused.class,
                PLANNER.planAutomatic("us-east", first, PLACEMENTS, NONE, NOW, EPOCH));
        assertEquals(List.of(new Recovering(300)), refused.refusals());
        assertTrue(refused.why().contains("recovering"), refused.why());
        // One window of the two that make it healthy counted, none heard yet in the next:
        HealthSnapshot counted = usEastDown().lastHeard("us-east", since, 1_400, 1, "eu-west", "ap-south").build();
        assertEquals(List.of(new Recovering(1_400)), assertInstanceOf(Refused.class,
                PLANNER.planAutomatic("us-east", counted, PLACEMENTS, NONE, NOW, EPOCH)).refusals());
        // Heard long ago, and windows missed since: it is down, and goes.
        HealthSnapshot down = usEastDown().lastHeard("us-east", since, 4_000, 0, "eu-west", "ap-south").build();
        proceed(PLANNER.planAutomatic("us-east", down, PLACEMENTS, NONE, NOW, EPOCH));
    }

    @Test
    void shouldFailOverOnceEveryConditionHolds() {
        FailoverDecision decision = PLANNER.planAutomatic("us-east", usEastDown().build(), PLACEMENTS, NONE, NOW,
                EPOCH);
        FailoverPlan plan = proceed(decision);
        assertEquals(FailoverTrigger.AUTOMATIC, plan.trigger());
        assertEquals("us-east", plan.region());
        assertEquals(Set.of("ap-south", "eu-west"), plan.observers());
        assertEquals(EPOCH, plan.controllerEpoch());
        assertEquals(NOW, plan.plannedAtMillis());
        assertEquals(Optional.empty(), plan.target());
        assertFalse(plan.forced());
        assertTrue(decision.why().contains("suspected by [ap-south, eu-west]"), decision.why());
    }

    @Test
    void shouldPlanOnlyTheUnhealthyRegions() {
        HealthSnapshot health = usEastDown().state("ap-south", RegionHealth.SUSPECT).build();
        List<FailoverDecision> decisions = PLANNER.planAutomaticForUnhealthy(health, PLACEMENTS, NONE, NOW, EPOCH);
        assertEquals(List.of("us-east"), decisions.stream().map(FailoverDecision::region).toList());
    }

    // ---- where -----------------------------------------------------------------------------------------------

    @Test
    void shouldNeverPromoteARegionStillSyncingTheTenant() {
        // eu-west is ahead in acme's partition but still filling its copy from a snapshot
        Placement syncing = ACME.withReplicas(ACME.replicas(), List.of("eu-west"), ACME.epoch());
        FailoverPlan plan = proceed(PLANNER.planAutomatic("us-east", usEastDown().build(), List.of(syncing), NONE,
                NOW, EPOCH));
        assertEquals(Optional.of("ap-south"), tenant(plan, "acme").newPrimary());
        assertTrue(tenant(plan, "acme").candidates().stream().noneMatch(c -> c.region().equals("eu-west")));
    }

    @Test
    void shouldChooseTheHealthyReplicaWithTheHighestAppliedPositionInTheTenantsPartition() {
        FailoverPlan plan = proceed(PLANNER.planAutomatic("us-east", usEastDown().build(), PLACEMENTS, NONE, NOW,
                EPOCH));
        assertEquals(Optional.of("eu-west"), tenant(plan, "acme").newPrimary(), "partition 0: 100 > 90");
        assertEquals(Optional.of("ap-south"), tenant(plan, "globex").newPrimary(), "partition 1: 250 > 200");
        TenantFailover acme = tenant(plan, "acme");
        assertEquals(0, acme.partition());
        FailoverCandidate chosen = acme.candidates().get(0);
        assertTrue(chosen.chosen());
        assertEquals(Optional.of(new Position(0, 100)), chosen.position());
        assertTrue(chosen.reason().contains("highest applied offset"), chosen.reason());
        FailoverCandidate other = acme.candidates().get(1);
        assertFalse(other.chosen());
        assertEquals("ap-south", other.region());
        assertTrue(other.reason().contains("behind 'eu-west'"), other.reason());
    }

    @Test
    void shouldBreakAPositionTieByPriority() {
        HealthSnapshot health = usEastDown().healthy("ap-south", Map.of(0, 100L)).build();
        var planner = new FailoverPlanner(POLICY.withPriorities(Map.of("ap-south", 5, "eu-west", 1)), PARTITION_OF);
        TenantFailover acme = tenant(proceed(planner.planAutomatic("us-east", health, List.of(ACME), NONE, NOW,
                EPOCH)), "acme");
        assertEquals(Optional.of("ap-south"), acme.newPrimary());
        assertTrue(acme.candidates().get(0).reason().contains("highest priority"), acme.reason());
        assertTrue(acme.candidates().get(1).reason().contains("lower priority (1 < 5)"),
                acme.candidates().get(1).reason());
    }

    @Test
    void shouldBreakAPositionAndPriorityTieByRegionName() {
        HealthSnapshot health = usEastDown().healthy("ap-south", Map.of(0, 100L)).build();
        TenantFailover acme = tenant(proceed(PLANNER.planAutomatic("us-east", health, List.of(ACME), NONE, NOW,
                EPOCH)), "acme");
        assertEquals(Optional.of("ap-south"), acme.newPrimary(), "'ap-south' sorts before 'eu-west'");
        assertTrue(acme.candidates().get(1).reason().contains("sorts first by name"), acme.reason());
    }

    @Test
    void shouldRankAReplicaThatReportedNoPositionLowest() {
        HealthSnapshot health = usEastDown().healthy("eu-west", Map.of()).healthy("ap-south", Map.of(0, 0L)).build();
        var planner = new FailoverPlanner(POLICY.withPriorities(Map.of("eu-west", 100)), PARTITION_OF);
        TenantFailover acme = tenant(proceed(planner.planAutomatic("us-east", health, List.of(ACME), NONE, NOW,
                EPOCH)), "acme");
        assertEquals(Optional.of("ap-south"), acme.newPrimary());
        assertEquals(FailoverCandidate.NO_POSITION, acme.candidates().get(1).appliedOffset());
        assertEquals(Optional.empty(), acme.candidates().get(1).position());
    }

    @Test
    void shouldNeverChooseAReplicaThatIsNotHealthyWhateverItsPosition() {
        for (RegionHealth state : List.of(RegionHealth.SUSPECT, RegionHealth.UNHEALTHY)) {
            HealthSnapshot health = usEastDown().region("ap-south", state, 0, Map.of(0, 1_000_000L),
                    Map.of()).build();
            var planner = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF);
            TenantFailover acme = tenant(proceed(planner.planAutomatic("us-east", health, List.of(ACME), NONE, NOW,
                    EPOCH)), "acme");
            assertEquals(Optional.of("eu-west"), acme.newPrimary());
            FailoverCandidate apSouth = acme.candidates().stream().filter(c -> c.region().equals("ap-south")).findFirst()
                    .orElseThrow();
            assertEquals(Optional.of(state), apSouth.health());
            assertEquals(1_000_000L, apSouth.appliedOffset());
            assertFalse(apSouth.chosen());
            assertEquals("not healthy: " + state.wireName(), apSouth.reason());
        }
    }

    @Test
    void shouldNeverChooseAReplicaThatNeedsAReseedHoweverFarAheadItIs() {
        HealthSnapshot health = usEastDown().needsReseed("ap-south", Map.of(0, 1_000_000L)).build();
        var planner = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF);

        TenantFailover acme = tenant(proceed(planner.planAutomatic("us-east", health, List.of(ACME), NONE, NOW,
                EPOCH)), "acme");

        assertEquals(Optional.of("eu-west"), acme.newPrimary());
        FailoverCandidate apSouth = acme.candidates().stream().filter(c -> c.region().equals("ap-south")).findFirst()
                .orElseThrow();
        assertFalse(apSouth.chosen());
        assertTrue(apSouth.reason().startsWith("needs reseed"), apSouth.reason());
    }

    @Test
    void shouldNeverChooseAPausedReplicaHoweverFarAheadItIs() {
        HealthSnapshot health = usEastDown().paused("ap-south", Map.of(0, 1_000_000L)).build();
        var planner = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF);

        TenantFailover acme = tenant(proceed(planner.planAutomatic("us-east", health, List.of(ACME), NONE, NOW,
                EPOCH)), "acme");

        assertEquals(Optional.of("eu-west"), acme.newPrimary());
        FailoverCandidate apSouth = acme.candidates().stream().filter(c -> c.region().equals("ap-south")).findFirst()
                .orElseThrow();
        assertFalse(apSouth.chosen());
        assertTrue(apSouth.reason().startsWith("paused"), apSouth.reason());
    }

    @Test
    void shouldKeepATenantWhoseOnlyOtherReplicaIsPausedWhereItIs() {
        Placement pair = placement("hooli", "us-east", "us-east", "ap-south");
        HealthSnapshot health = usEastDown().paused("ap-south", Map.of(3, 50L)).build();
        var decision = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF).planAutomatic("us-east", health,
                List.of(pair), NONE, NOW, EPOCH);
        var refused = assertInstanceOf(Refused.class, decision, decision.why());
        assertEquals(List.of(new FailoverDecision.NoHealthyReplica(1)), refused.refusals());
    }

    @Test
    void shouldRejectAPausedManualTarget() {
        HealthSnapshot health = usEastDown().paused("ap-south", Map.of(0, 1_000_000L)).build();
        var rejected = assertInstanceOf(ManualFailoverResult.Rejected.class, PLANNER.planManual("us-east",
                Optional.of("ap-south"), true, health, PLACEMENTS, NONE, NOW, EPOCH));
        var error = assertInstanceOf(ManualFailoverError.InvalidTarget.class, rejected.error());
        assertEquals("invalid_target", error.code());
        assertTrue(error.message().contains("paused"), error.message());
        // Without a target the paused region is passed over for every tenant.
        FailoverPlan plan = PLANNER.planManual("us-east", Optional.empty(), false, health, PLACEMENTS, NONE, NOW,
                EPOCH).orElseThrow();
        plan.promoted().forEach(t -> assertEquals(Optional.of("eu-west"), t.newPrimary(), t.tenant()));
    }

    @Test
    void shouldNotChooseAReplicaRegionTheHealthMonitorDoesNotKnow() {
        Placement odd = placement("hooli", "us-east", "us-east", "mars-1", "eu-west");
        TenantFailover hooli = tenant(proceed(PLANNER.planAutomatic("us-east", usEastDown().build(), List.of(odd),
                NONE, NOW, EPOCH)), "hooli");
        assertEquals(Optional.of("eu-west"), hooli.newPrimary());
        FailoverCandidate mars = hooli.candidates().get(1);
        assertEquals(Optional.empty(), mars.health());
        assertEquals("not known to the health monitor", mars.reason());
    }

    @Test
    void shouldKeepATenantWithNoHealthyReplicaWhereItIsAndReportIt() {
        Placement lonely = placement("hooli", "us-east", "us-east", "ap-south");
        Placement single = placement("initech", "us-east", "us-east");
        HealthSnapshot health = usEastDown().state("ap-south", RegionHealth.SUSPECT).build();
        var planner = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF);
        FailoverPlan plan = proceed(planner.planAutomatic("us-east", health, List.of(ACME, lonely, single), NONE,
                NOW, EPOCH));
        assertEquals(List.of("acme"), plan.promoted().stream().map(TenantFailover::tenant).toList());
        assertEquals(List.of("hooli", "initech"), plan.stayed().stream().map(TenantFailover::tenant).toList());
        TenantFailover hooli = tenant(plan, "hooli");
        assertEquals(TenantFailover.Outcome.NO_HEALTHY_REPLICA, hooli.outcome());
        assertEquals(Optional.empty(), hooli.newPlacement());
        assertEquals(List.of("ap-south"), hooli.candidates().stream().map(FailoverCandidate::region).toList());
        assertTrue(hooli.reason().contains("no healthy replica among [ap-south]"), hooli.reason());
        assertTrue(tenant(plan, "initech").reason().contains("no replica other than 'us-east'"));
        assertEquals(List.of(ACME.withPrimary("eu-west", ACME.epoch() + 1)), plan.newPlacements());
    }

    @Test
    void shouldWaitRatherThanFailOverWhenNoTenantHasAHealthyReplica() {
        Placement lonely = placement("hooli", "us-east", "us-east", "ap-south");
        Placement single = placement("initech", "us-east", "us-east");
        HealthSnapshot health = usEastDown().state("ap-south", RegionHealth.SUSPECT).build();
        var planner = new FailoverPlanner(POLICY.withQuorum(1), PARTITION_OF);

        FailoverDecision decision = planner.planAutomatic("us-east", health, List.of(lonely, single), NONE, NOW,
                EPOCH);

        var refused = assertInstanceOf(FailoverDecision.Refused.class, decision);
        assertEquals(Optional.of(new FailoverDecision.NoHealthyReplica(2)),
                refused.refusal(FailoverDecision.NoHealthyReplica.class));
        assertTrue(decision.why().contains("none of its 2 tenant(s) has a healthy replica"), decision.why());
    }

    @Test
    void shouldNotTouchTenantsWhosePrimaryIsElsewhere() {
        FailoverPlan plan = proceed(PLANNER.planAutomatic("us-east", usEastDown().build(), PLACEMENTS, NONE, NOW,
                EPOCH));
        assertEquals(List.of("acme", "globex"), plan.tenants().stream().map(TenantFailover::tenant).toList(),
                "initech has its primary in eu-west (us-east is only its replica)");
    }

    @Test
    void shouldBumpTheEpochAndChangeOnlyThePrimary() {
        Placement paused = ACME.withWrites(WriteState.PAUSED, 12);
        FailoverPlan plan = proceed(PLANNER.planAutomatic("us-east", usEastDown().build(), List.of(paused), NONE, NOW,
                EPOCH));
        Placement next = tenant(plan, "acme").newPlacement().orElseThrow();
        assertEquals("eu-west", next.primary());
        assertEquals(13, next.epoch());
        assertEquals(paused.replicas(), next.replicas());
        assertEquals(paused.writes(), next.writes());
        assertEquals(paused.strategy(), next.strategy());
        assertEquals(paused.mode(), next.mode());
        assertEquals("us-east", tenant(plan, "acme").oldPrimary());
    }

    @Test
    void shouldReportEveryCandidateWithPositionPriorityHealthAndReason() {
        HealthSnapshot health = usEastDown().state("sa-east", RegionHealth.UNHEALTHY).build();
        Placement wide = placement("acme", "us-east", "us-east", "eu-west", "ap-south", "sa-east");
        var planner = new FailoverPlanner(POLICY.withQuorum(2).withPriorities(Map.of("eu-west", 3)), PARTITION_OF);
        TenantFailover acme = tenant(proceed(planner.planAutomatic("us-east", health, List.of(wide), NONE, NOW,
                EPOCH)), "acme");
        assertEquals(List.of("eu-west", "ap-south", "sa-east"),
                acme.candidates().stream().map(FailoverCandidate::region).toList(), "best first, then the unhealthy");
        assertEquals(List.of(100L, 90L, 1_000_000L), acme.candidates().stream().map(FailoverCandidate::appliedOffset).toList());
        assertEquals(List.of(3, 0, 0), acme.candidates().stream().map(FailoverCandidate::priority).toList());
        assertEquals(List.of(true, false, false), acme.candidates().stream().map(FailoverCandidate::chosen).toList());
        acme.candidates().forEach(c -> assertFalse(c.reason().isBlank()));
        acme.candidates().forEach(c -> assertEquals(0, c.partition()));
    }

    // ---- inhibit ---------------------------------------------------------------------------------------------

    @Test
    void shouldBlockASecondAutomaticFailoverInsideTheInhibitWindow() {
        HealthSnapshot health = usEastDown().build();
        FailoverPlan first = proceed(PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW, EPOCH));
        InhibitWindows inhibit = NONE.withFailover(first.region(), NOW + 500);
        long until = NOW + 500 + 60_000;
        var refused = assertInstanceOf(Refused.class,
                PLANNER.planAutomatic("us-east", health, PLACEMENTS, inhibit, until - 1, EPOCH));
        assertEquals(List.of(new Inhibited(until)), refused.refusals());
        assertTrue(refused.why().contains("until " + until), refused.why());
        proceed(PLANNER.planAutomatic("us-east", health, PLACEMENTS, inhibit, until, EPOCH));
        // Another region is not inhibited by us-east's failover.
        assertFalse(inhibit.isInhibited("eu-west", NOW + 1_000));
    }

    @Test
    void shouldBlockAManualFailoverInsideTheInhibitWindowUnlessForced() {
        HealthSnapshot health = usEastDown().build();
        InhibitWindows inhibit = NONE.withFailover("us-east", NOW - 10_000);
        var rejected = assertInstanceOf(ManualFailoverResult.Rejected.class,
                PLANNER.planManual("us-east", Optional.empty(), false, health, PLACEMENTS, inhibit, NOW, EPOCH));
        assertEquals(new ManualFailoverError.Inhibited("us-east", NOW + 50_000), rejected.error());
        assertEquals("inhibited", rejected.error().code());
        var thrown = assertThrows(ManualFailoverRejectedException.class, rejected::orElseThrow);
        assertEquals("us-east", thrown.region());
        assertTrue(thrown.getMessage().contains("force"), thrown.getMessage());

        FailoverPlan forced = PLANNER.planManual("us-east", Optional.empty(), true, health, PLACEMENTS, inhibit, NOW,
                EPOCH).orElseThrow();
        assertTrue(forced.forced());
        assertEquals(FailoverTrigger.MANUAL, forced.trigger());
        assertEquals(2, forced.promoted().size());
    }

    @Test
    void shouldFinishAFailoverThatStoppedBetweenItsPartsInsideTheWindowItOpened() {
        HealthSnapshot health = usEastDown().build();
        FailoverPlan first = proceed(PLANNER.planAutomatic("us-east", health, PLACEMENTS, NONE, NOW, EPOCH));
        // Part 1 of 2 committed, then the controller was deposed: the window is open, the failover unfinished.
        FailoverEvent part = FailoverEvent.part(first, first.promoted().subList(0, 1), 1, 2, NOW, NOW + 500);
        InhibitWindows stopped = NONE.withEvent(part);
        assertTrue(stopped.isInhibited("us-east", NOW + 1_000));

        FailoverDecision decision = PLANNER.planAutomatic("us-east", health, PLACEMENTS, stopped, NOW + 1_000,
                EPOCH + 1);
        assertTrue(decision.why().contains("stopped between parts"), decision.why());
        proceed(decision);
        assertFalse(PLANNER.planManual("us-east", Optional.empty(), false, health, PLACEMENTS, stopped, NOW + 1_000,
                EPOCH + 1).orElseThrow().forced(), "an operator finishes it without force");

        // Its last part seen, the window holds again.
        InhibitWindows finished = stopped.withEvent(FailoverEvent.part(first, first.promoted().subList(1, 2), 2, 2,
                NOW, NOW + 600));
        assertInstanceOf(Refused.class, PLANNER.planAutomatic("us-east", health, PLACEMENTS, finished, NOW + 1_000,
                EPOCH + 1));
    }

    @Test
    void shouldRefuseInhibitWindowsOfAnotherLength() {
        var e = assertThrows(IllegalArgumentException.class, () -> PLANNER.planAutomatic("us-east",
                usEastDown().build(), PLACEMENTS, InhibitWindows.empty(Duration.ofSeconds(5)), NOW, EPOCH));
        assertTrue(e.getMessage().contains(FailoverPolicy.INHIBIT_WINDOW_CONFIG), e.getMessage());
    }

    // ---- manual ----------------------------------------------------------------------------------------------

    @Test
    void shouldRejectAManualFailoverOfAnUnknownRegion() {
        var rejected = assertInstanceOf(ManualFailoverResult.Rejected.class, PLANNER.planManual("mars-1",
                Optional.empty(), true, usEastDown().build(), PLACEMENTS, NONE, NOW, EPOCH));
        var error = assertInstanceOf(ManualFailoverError.UnknownRegion.class, rejected.error());
        assertEquals(Set.of("ap-south", "eu-west", "us-east"), error.knownRegions());
        assertEquals("unknown_region", error.code());
    }

    @Test
    void shouldRejectAManualTargetThatIsUnknownUnhealthyTheRegionItselfOrNoReplica() {
        HealthSnapshot health = usEastDown().state("sa-east", RegionHealth.SUSPECT)
                .healthy("af-south", Map.of()).build();
        Map<String, String> expected = Map.of(
                "mars-1", "not a known region",
                "sa-east", "it is suspect, not healthy",
                "us-east", "the region being failed over",
                "af-south", "a replica of none of the 2 tenant(s)");
        expected.forEach((target, reason) -> {
            var rejected = assertInstanceOf(ManualFailoverResult.Rejected.class, PLANNER.planManual("us-east",
                    Optional.of(target), true, health, PLACEMENTS, NONE, NOW, EPOCH), target);
            var error = assertInstanceOf(ManualFailoverError.InvalidTarget.class, rejected.error(), target);
            assertEquals(target, error.target());
            assertEquals("invalid_target", error.code());
            assertTrue(error.message().contains(reason), error.message());
        });
        HealthSnapshot down = usEastDown().unhealthy("eu-west", 0).build();
        var rejected = assertInstanceOf(ManualFailoverResult.Rejected.class, PLANNER.planManual("us-east",
                Optional.of("eu-west"), false, down, PLACEMENTS, NONE, NOW, EPOCH));
        assertTrue(rejected.error().message().contains("unhealthy, not healthy"), rejected.error().message());
    }

    @Test
    void shouldCheckTheTargetBeforeTheInhibitWindow() {
        var rejected = assertInstanceOf(ManualFailoverResult.Rejected.class, PLANNER.planManual("us-east",
                Optional.of("mars-1"), false, usEastDown().build(), PLACEMENTS, NONE.withFailover("us-east", NOW), NOW,
                EPOCH));
        assertInstanceOf(ManualFailoverError.InvalidTarget.class, rejected.error());
    }

    @Test
    void shouldMoveEveryTenantThatHasTheManualTargetAsReplicaAndSkipTheOthers() {
        Placement hooli = placement("hooli", "us-east", "us-east", "eu-west");
        FailoverPlan plan = PLANNER.planManual("us-east", Optional.of("ap-south"), false, usEastDown().build(),
                List.of(ACME, GLOBEX, hooli, INITECH), NONE, NOW, EPOCH).orElseThrow();
        assertEquals(Optional.of("ap-south"), plan.target());
        assertEquals(Optional.of("ap-south"), tenant(plan, "acme").newPrimary(),
                "the operator's target wins even though eu-west is ahead in partition 0");
        assertEquals(Optional.of("ap-south"), tenant(plan, "globex").newPrimary());
        TenantFailover skipped = tenant(plan, "hooli");
        assertEquals(TenantFailover.Outcome.TARGET_NOT_REPLICA, skipped.outcome());
        assertEquals(Optional.empty(), skipped.newPlacement());
        assertTrue(skipped.reason().contains("not a replica"), skipped.reason());
        assertTrue(skipped.candidates().stream().noneMatch(FailoverCandidate::chosen));
        FailoverCandidate euWest = tenant(plan, "acme").candidates().stream().filter(c -> c.region().equals("eu-west"))
                .findFirst().orElseThrow();
        assertEquals("the operator chose 'ap-south'", euWest.reason());
    }

    @Test
    void shouldFailOverAHealthyRegionManuallyToTheBestReplica() {
        HealthSnapshot health = usEastDown().state("us-east", RegionHealth.HEALTHY).build();
        FailoverPlan plan = PLANNER.planManual("us-east", Optional.empty(), false, health, PLACEMENTS, NONE, NOW,
                EPOCH).orElseThrow();
        assertEquals(Set.of(), plan.observers());
        assertEquals(Optional.of("eu-west"), tenant(plan, "acme").newPrimary());
        assertEquals(Optional.of("ap-south"), tenant(plan, "globex").newPrimary());
    }

    @Test
    void shouldRejectDuplicatePlacementsOfATenant() {
        assertThrows(IllegalArgumentException.class, () -> PLANNER.planAutomatic("us-east", usEastDown().build(),
                List.of(ACME, ACME.withEpoch(9)), NONE, NOW, EPOCH));
    }

    // ---- with the real monitor -------------------------------------------------------------------------------

    @Test
    void shouldFailOverARegionTheMonitorSawGoDownOnlyAfterTheLeaderTimeout() {
        long start = 0;
        long interval = 1_000;
        var monitor = new RegionHealthMonitor(List.of("us-east", "eu-west", "ap-south"),
                HealthPolicy.defaults(Duration.ofMillis(interval), LEADER_TIMEOUT), start);
        long failoverAt = -1;
        long unhealthyAt = -1;
        for (long t = start; t <= 120_000 && failoverAt < 0; t += interval) {
            long at = t + 500;
            boolean usEastUp = t < 10_000;
            if (usEastUp) {
                monitor.record(beat("us-east-1", "us-east", Map.of(), monitor.suspectedRegions()), at);
            }
            Set<String> suspected = Set.copyOf(monitor.suspectedRegions());
            monitor.record(beat("eu-west-1", "eu-west", Map.of(0, 100L, 1, 200L), suspected), at);
            monitor.record(beat("ap-south-1", "ap-south", Map.of(0, 90L, 1, 250L), suspected), at);
            monitor.tick(at);
            if (unhealthyAt < 0 && monitor.state("us-east") == RegionHealth.UNHEALTHY) {
                unhealthyAt = monitor.snapshot().region("us-east").orElseThrow().sinceMillis();
            }
            if (PLANNER.planAutomatic("us-east", monitor.snapshot(), PLACEMENTS, NONE, at, EPOCH).plan().isPresent()) {
                failoverAt = at;
            }
        }
        assertEquals(15_000, unhealthyAt, "last heartbeat in window [9 s, 10 s); windows [10 s, 15 s) missed");
        assertTrue(failoverAt >= unhealthyAt + LEADER_TIMEOUT.toMillis(), "failover at " + failoverAt);
        assertTrue(failoverAt < unhealthyAt + LEADER_TIMEOUT.toMillis() + 2 * interval, "failover at " + failoverAt);
    }

    private static Heartbeat beat(String node, String region, Map<Integer, Long> offsets, Set<String> suspected) {
        return new Heartbeat(node, region, "http://" + node, offsets, suspected, 0, EPOCH);
    }
}
