package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.AP_SOUTH;
import static io.meridian.streams.WalFixtures.EU_WEST;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.delete;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.json;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fences make the log the single order: what the region applier decides about data records around fences. */
class RegionApplierFenceTest {
    private ApplierDriver applier;

    @BeforeEach
    void start() {
        applier = new ApplierDriver(US_EAST);
    }

    @AfterEach
    void stop() {
        applier.close();
    }

    @Test
    void shouldRejectWriteOfTenantWithoutFenceAsUnknownAndNotMaterializeIt() {
        ApplyOutcome outcome = applier.apply(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 100, "w1"));

        assertEquals(Verdict.REJECTED_UNKNOWN_TENANT, outcome.verdict());
        assertNull(outcome.fence());
        assertEquals(new Position(0, 0), outcome.position());
        assertNull(applier.doc(ACME, "k1"));
        assertTrue(applier.readConflicts().isEmpty(), "an unknown tenant is not a conflict");
    }

    @Test
    void shouldAcceptWriteAfterFenceAndMaterializeItWithPositionEpochHlcAndRegion() {
        Placement placement = placement(ACME, 1, ConflictStrategy.REJECT);
        applier.apply(put(ACME, "k1", "{\"v\":0}", 1, US_EAST, 99, "w0"));  // offset 0: before the fence
        applier.pipe(fence(placement));                                      // offset 1

        ApplyOutcome outcome = applier.apply(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 100, "w1"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertTrue(outcome.accepted());
        assertEquals(new Position(0, 2), outcome.position());
        assertEquals(placement, outcome.fence());
        assertEquals(new StoredDocument(json("{\"v\":1}"), "0:2", 1, 100, US_EAST), applier.doc(ACME, "k1"));
        assertEquals(placement, applier.fenceOf(ACME));
        assertTrue(applier.readConflicts().isEmpty(), "a write at the current epoch is not a conflict");
    }

    @Test
    void shouldIgnoreFenceWithOlderOrEqualEpoch() {
        Placement epoch3 = placement(ACME, 3, ConflictStrategy.REJECT);
        applier.pipe(fence(epoch3));
        // An older fence that would move the primary, and an equal one that would pause: both must change nothing.
        applier.pipe(fence(placement(ACME, EU_WEST, List.of(US_EAST, EU_WEST), 2, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY)));
        applier.pipe(fence(placement(ACME, US_EAST, List.of(US_EAST, EU_WEST), 3, WriteState.PAUSED,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY)));

        assertEquals(epoch3, applier.fenceOf(ACME));
        ApplyOutcome current = applier.apply(put(ACME, "k1", "{\"v\":1}", 3, US_EAST, 100, "w1"));
        assertEquals(Verdict.ACCEPTED, current.verdict());
        assertEquals(epoch3, current.fence());
        ApplyOutcome fromOldPrimary = applier.apply(put(ACME, "k2", "{\"v\":1}", 2, EU_WEST, 101, "w2"));
        assertEquals(Verdict.REJECTED_STALE_EPOCH, fromOldPrimary.verdict(), "epoch 2 is still older than 3");
    }

    @Test
    void shouldReplaceFenceWithNewerEpoch() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
        Placement switched = placement(ACME, EU_WEST, List.of(US_EAST, EU_WEST), 2, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
        applier.pipe(fence(switched));

        assertEquals(switched, applier.fenceOf(ACME));
        assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k1", "{}", 2, EU_WEST, 1, "w1")).verdict());
        assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE,
                applier.apply(put(ACME, "k1", "{}", 2, US_EAST, 2, "w2")).verdict());
    }

    @Test
    void shouldRejectEveryWriteWhilePausedWhateverItsEpochOrStrategy() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
        applier.apply(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 100, "w1"));
        Placement paused = placement(ACME, 2, ConflictStrategy.LWW).withWrites(WriteState.PAUSED, 2);
        applier.pipe(fence(paused));

        // lww would accept a stale write with a newer hlc; a pause must win over the strategy.
        ApplyOutcome stale = applier.apply(put(ACME, "k1", "{\"v\":2}", 1, US_EAST, 500, "w2"));
        ApplyOutcome current = applier.apply(put(ACME, "k1", "{\"v\":3}", 2, US_EAST, 501, "w3"));
        ApplyOutcome newer = applier.apply(put(ACME, "k1", "{\"v\":4}", 3, US_EAST, 502, "w4"));
        ApplyOutcome remove = applier.apply(delete(ACME, "k1", 2, US_EAST, 503, "w5"));

        for (ApplyOutcome outcome : List.of(stale, current, newer, remove)) {
            assertEquals(Verdict.REJECTED_PAUSED, outcome.verdict(), outcome.writeId());
            assertEquals(paused, outcome.fence());
        }
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k1").value());
        assertTrue(applier.readConflicts().isEmpty(), "a paused rejection is not a conflict");
    }

    @Test
    void shouldAcceptWritesAgainAfterFenceThatResumesThem() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT).withWrites(WriteState.PAUSED, 1)));
        assertEquals(Verdict.REJECTED_PAUSED, applier.apply(put(ACME, "k1", "{}", 1, US_EAST, 1, "w1")).verdict());
        applier.pipe(fence(placement(ACME, 2, ConflictStrategy.REJECT)));

        assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k1", "{\"v\":2}", 2, US_EAST, 2, "w2")).verdict());
        assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k1").value());
    }

    @Test
    void shouldRejectWriteClaimingEpochNewerThanFenceInForce() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));

        ApplyOutcome outcome = applier.apply(put(ACME, "k1", "{}", 2, US_EAST, 1, "w1"));

        assertEquals(Verdict.REJECTED_STALE_EPOCH, outcome.verdict());
        assertNull(applier.doc(ACME, "k1"));
        assertTrue(applier.readConflicts().isEmpty());
    }

    @Test
    void shouldRejectWriteFromNonPrimaryRegionAtCurrentEpochInSinglePrimaryMode() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));

        ApplyOutcome replica = applier.apply(put(ACME, "k1", "{}", 1, EU_WEST, 1, "w1"));
        ApplyOutcome outsider = applier.apply(put(ACME, "k1", "{}", 1, AP_SOUTH, 2, "w2"));

        assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE, replica.verdict());
        assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE, outsider.verdict());
        assertNull(applier.doc(ACME, "k1"));
        assertTrue(applier.readConflicts().isEmpty());
    }

    @Test
    void shouldAcceptWriteFromReplicaRegionInMultiPrimaryModeButNotFromOutsideTheReplicas() {
        applier.pipe(fence(placement(ACME, US_EAST, List.of(US_EAST, EU_WEST), 1, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.MULTI_PRIMARY)));

        ApplyOutcome replica = applier.apply(put(ACME, "k1", "{\"from\":\"eu\"}", 1, EU_WEST, 7, "w1"));
        ApplyOutcome outsider = applier.apply(put(ACME, "k2", "{}", 1, AP_SOUTH, 8, "w2"));

        assertEquals(Verdict.ACCEPTED, replica.verdict());
        assertEquals(new StoredDocument(json("{\"from\":\"eu\"}"), "0:1", 1, 7, EU_WEST), applier.doc(ACME, "k1"));
        assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE, outsider.verdict());
        assertNull(applier.doc(ACME, "k2"));
    }

    @Test
    void shouldRemoveDocumentOnDelete() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
        applier.apply(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 1, "w1"));
        applier.apply(put(ACME, "k2", "{\"v\":2}", 1, US_EAST, 2, "w2"));

        ApplyOutcome outcome = applier.apply(delete(ACME, "k1", 1, US_EAST, 3, "w3"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertNull(applier.doc(ACME, "k1"));
        assertEquals(List.of("k2"), List.copyOf(applier.documents(ACME).keySet()));
    }

    @Test
    void shouldAcceptDeleteOfMissingDocument() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));

        ApplyOutcome outcome = applier.apply(delete(ACME, "never-written", 1, US_EAST, 1, "w1"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertTrue(applier.documents(ACME).isEmpty());
        // and the applier goes on
        assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k1", "{}", 1, US_EAST, 2, "w2")).verdict());
    }

    @Test
    void shouldKeepTenantsApart() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
        applier.pipe(fence(placement("globex", 5, ConflictStrategy.REJECT)));

        assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k", "{\"t\":\"acme\"}", 1, US_EAST, 1, "w1")).verdict());
        assertEquals(Verdict.ACCEPTED,
                applier.apply(put("globex", "k", "{\"t\":\"globex\"}", 5, US_EAST, 2, "w2")).verdict());
        assertEquals(Verdict.REJECTED_STALE_EPOCH,
                applier.apply(put("globex", "k", "{}", 1, US_EAST, 3, "w3")).verdict());

        assertEquals(json("{\"t\":\"acme\"}"), applier.doc(ACME, "k").value());
        assertEquals(json("{\"t\":\"globex\"}"), applier.doc("globex", "k").value());
    }

    @Test
    void shouldIgnoreAFenceOfADeposedControllerAfterANewerControllersFenceOnThePartition() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT), 5));
        // The new controller (epoch 6) fences another tenant on this partition first.
        applier.pipe(fence(placement("beta", 1, ConflictStrategy.REJECT), 6));
        // A paused controller of epoch 5 wakes up and its commit slips through: a failover of acme to eu-west.
        Placement zombie = placement(ACME, EU_WEST, java.util.List.of(US_EAST, EU_WEST), 2,
                io.meridian.infra.model.WriteState.ACTIVE, ConflictStrategy.REJECT,
                io.meridian.infra.model.ReplicationMode.SINGLE_PRIMARY);
        applier.pipe(fence(zombie, 5));

        assertEquals(1, applier.fenceOf(ACME).epoch(), "the zombie's fence takes no effect");
        assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k", "{}", 1, US_EAST, 1, "w1")).verdict());
    }

    @Test
    void shouldApplyFencesOfTheSameOrANewerController() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT), 5));
        applier.pipe(fence(placement(ACME, 2, ConflictStrategy.REJECT), 5));
        applier.pipe(fence(placement(ACME, 3, ConflictStrategy.REJECT), 7));

        assertEquals(3, applier.fenceOf(ACME).epoch());
    }
}
