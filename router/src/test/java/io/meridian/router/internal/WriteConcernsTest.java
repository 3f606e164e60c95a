package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.model.WriteState;
import io.meridian.migration.AppliedProbe;
import io.meridian.router.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The write concern's bookkeeping: which regions count and are asked, when the wait ends, and with what. */
class WriteConcernsTest {
    private static final Position AT = new Position(3, 100);
    private static final Placement THREE = new Placement("acme", "us-east", List.of("us-east", "eu-west", "ap-south"),
            4, WriteState.ACTIVE, ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private volatile HealthSnapshot health = HealthSnapshot.of(0, List.of());

    private WriteConcerns concerns(AppliedProbe probe) {
        AppliedProbe counting = (region, partition, offset, wait) -> {
            asked.computeIfAbsent(region, r -> new AtomicInteger()).incrementAndGet();
            assertEquals(AT.partition(), partition);
            assertEquals(AT.offset(), offset);
            return probe.awaitApplied(region, partition, offset, wait);
        };
        return new WriteConcerns("us-east", counting, () -> health, new RouterMetrics(registry));
    }

    private static CompletableFuture<AppliedProbe.Answer> applied(String region, long offset) {
        return CompletableFuture.completedFuture(new AppliedProbe.Answer(region, region + "-1", 3, offset));
    }

    private static long in(Duration duration) {
        return System.nanoTime() + duration.toNanos();
    }

    @Test
    void shouldBeSatisfiedByAMajorityWithoutWaitingForTheSlowRegion() throws Exception {
        WriteConcerns concerns = concerns((region, p, o, w) -> region.equals("eu-west") ? applied(region, 100)
                : new CompletableFuture<>());
        WriteConcerns.Outcome outcome = concerns.await("acme", WriteConcern.MAJORITY, THREE, AT, in(Duration.ofSeconds(30)))
                .get(5, TimeUnit.SECONDS);
        assertTrue(outcome.satisfied());
        assertEquals(List.of("us-east", "eu-west"), outcome.applied());
        assertEquals(2, outcome.required());
    }

    @Test
    void shouldEndAtTheDeadlineWithTheRegionsThatAppliedAndThoseThatDidNot() throws Exception {
        WriteConcerns concerns = concerns((region, p, o, w) -> region.equals("eu-west") ? applied(region, 120)
                : new CompletableFuture<>());
        long start = System.nanoTime();
        WriteConcerns.Outcome outcome = concerns.await("acme", WriteConcern.ALL, THREE, AT, in(Duration.ofMillis(300)))
                .get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos());
        assertFalse(outcome.satisfied());
        assertEquals(List.of("us-east", "eu-west"), outcome.applied());
        assertEquals(List.of("ap-south"), outcome.missing());
        assertEquals(1.0, registry.get(RouterMetrics.WRITE_CONCERN_TIMEOUTS).tag(RouterMetrics.TAG_CONCERN, "all")
                .counter().count());
    }

    @Test
    void shouldAskAgainWhenTheLongPollEndsBeforeTheRegionAppliedOrTheRegionCannotBeAsked() throws Exception {
        AtomicInteger euWest = new AtomicInteger();
        AtomicInteger apSouth = new AtomicInteger();
        WriteConcerns concerns = concerns((region, p, o, w) -> {
            if (region.equals("eu-west")) {
                return applied(region, euWest.incrementAndGet() < 3 ? 99 : 100);  // not yet, not yet, reached
            }
            return apSouth.incrementAndGet() < 2
                    ? CompletableFuture.failedFuture(new java.net.ConnectException("refused"))
                    : applied(region, 100);
        });
        WriteConcerns.Outcome outcome = concerns.await("acme", WriteConcern.ALL, THREE, AT, in(Duration.ofSeconds(10)))
                .get(5, TimeUnit.SECONDS);
        assertTrue(outcome.satisfied(), outcome.toString());
        assertEquals(Set.of("us-east", "eu-west", "ap-south"), Set.copyOf(outcome.applied()));
        assertEquals(3, asked.get("eu-west").get());
        assertEquals(2, asked.get("ap-south").get());
    }

    @Test
    void shouldRefuseAConcernLargerThanTheReplicasOrThanTheRegionsThatCanCount() {
        WriteConcerns concerns = concerns((region, p, o, w) -> new CompletableFuture<>());
        ApiException tooMany = assertThrows(ApiException.class,
                () -> concerns.check("acme", WriteConcern.regions(4), THREE));
        assertEquals(ErrorCode.WRITE_CONCERN_UNSATISFIABLE, tooMany.code());
        assertDoesNotThrow(() -> concerns.check("acme", WriteConcern.ALL, THREE));

        health = HealthSnapshot.of(0, List.of(status("ap-south", RegionHealth.UNHEALTHY),
                status("eu-west", RegionHealth.SUSPECT)));
        ApiException unavailable = assertThrows(ApiException.class,
                () -> concerns.check("acme", WriteConcern.ALL, THREE));
        assertEquals(ErrorCode.WRITE_CONCERN_UNAVAILABLE, unavailable.code());
        assertEquals(Map.of("ap-south", "unhealthy"), unavailable.details().get("notCounted"));
        assertDoesNotThrow(() -> concerns.check("acme", WriteConcern.MAJORITY, THREE), "a suspect region counts");
        assertEquals(List.of("eu-west"), concerns.countable(THREE));

        health = HealthSnapshot.of(0, List.of());
        Placement syncing = new Placement("acme", "us-east", List.of("us-east", "eu-west", "ap-south"), 4,
                WriteState.ACTIVE, ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY, WriteConcern.LOCAL, null,
                List.of("eu-west"));
        assertEquals(List.of("ap-south"), concerns.countable(syncing));
        ApiException whileSyncing = assertThrows(ApiException.class,
                () -> concerns.check("acme", WriteConcern.ALL, syncing));
        assertEquals(Map.of("eu-west", "syncing"), whileSyncing.details().get("notCounted"));
        assertTrue(asked.isEmpty(), "checks ask nobody");
    }

    @Test
    void shouldNeverAskARegionForALocalConcernOrASingleReplicaTenant() throws Exception {
        WriteConcerns concerns = concerns((region, p, o, w) -> new CompletableFuture<>());
        concerns.check("acme", WriteConcern.LOCAL, THREE);
        Placement alone = new Placement("solo", "us-east", List.of("us-east"), 1, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
        WriteConcerns.Outcome outcome = concerns.await("solo", WriteConcern.ALL, alone, AT, in(Duration.ofSeconds(30)))
                .get(1, TimeUnit.SECONDS);
        assertTrue(outcome.satisfied());
        assertEquals(List.of("us-east"), outcome.applied());
        assertTrue(asked.isEmpty());
    }

    private static RegionStatus status(String region, RegionHealth state) {
        return new RegionStatus(region, state, 0, false, OptionalLong.empty(), 0, 0, 1_000, 1_000, Set.of(), Map.of(),
                Map.of());
    }
}
