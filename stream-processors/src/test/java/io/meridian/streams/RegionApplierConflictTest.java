package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
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

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictRecord.Resolution;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A data record written under an epoch older than the tenant's fence is a conflict, resolved by the tenant's strategy
 * and reported on {@code meridian.conflicts}. Observed from eu-west (a replica) so that the reporting region and the
 * origin region differ.
 */
class RegionApplierConflictTest {
    private static final String CURRENT = "{\"a\":1,\"nested\":{\"x\":1,\"y\":2},\"gone\":true}";

    private ApplierDriver applier;

    @BeforeEach
    void start() {
        applier = new ApplierDriver(EU_WEST);
    }

    @AfterEach
    void stop() {
        applier.close();
    }

    /** Epoch 1: k1 = {@link #CURRENT} at 0:1 with hlc 100; then a fence with epoch 2 at 0:2. */
    private Placement documentThenFence(ConflictStrategy strategy) {
        applier.pipe(fence(placement(ACME, 1, strategy)));
        assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k1", CURRENT, 1, US_EAST, 100, "w1")).verdict());
        Placement epoch2 = placement(ACME, 2, strategy);
        applier.pipe(fence(epoch2));
        return epoch2;
    }

    private ConflictRecord singleConflict() {
        List<KeyValue<String, ConflictRecord>> conflicts = applier.readConflicts();
        assertEquals(1, conflicts.size(), () -> "conflicts: " + conflicts);
        assertEquals(ACME, conflicts.get(0).key, "conflicts are keyed by tenant");
        return conflicts.get(0).value;
    }

    @Test
    void shouldRejectWriteOlderThanFenceUnderRejectStrategy() {
        Placement epoch2 = documentThenFence(ConflictStrategy.REJECT);

        long timestamp = applier.pipe(put(ACME, "k1", "{\"a\":2}", 1, US_EAST, 200, "stale"));
        ApplyOutcome outcome = applier.listener.decisions.get(1);

        assertEquals("stale", outcome.writeId());
        assertEquals(Verdict.REJECTED_STALE_EPOCH, outcome.verdict());
        assertEquals(new Position(0, 3), outcome.position());
        assertEquals(epoch2, outcome.fence());
        assertEquals(new StoredDocument(json(CURRENT), "0:1", 1, 100, US_EAST), applier.doc(ACME, "k1"));
        ConflictRecord conflict = singleConflict();
        assertEquals(new ConflictRecord(ACME, "k1", "0:3", 1, 2, US_EAST, EU_WEST, ConflictStrategy.REJECT,
                Resolution.REJECTED, conflict.reason(), timestamp), conflict);
        assertTrue(conflict.reason().contains("epoch 1"), conflict.reason());
    }

    @Test
    void shouldRejectStaleDeleteUnderRejectStrategyAndKeepTheDocument() {
        documentThenFence(ConflictStrategy.REJECT);

        ApplyOutcome outcome = applier.apply(delete(ACME, "k1", 1, US_EAST, 200, "stale-delete"));

        assertEquals(Verdict.REJECTED_STALE_EPOCH, outcome.verdict());
        assertEquals(json(CURRENT), applier.doc(ACME, "k1").value());
        assertEquals(Resolution.REJECTED, singleConflict().resolution());
    }

    @Test
    void shouldApplyStaleWriteWithNewerHlcUnderLastWriterWins() {
        documentThenFence(ConflictStrategy.LWW);

        ApplyOutcome outcome = applier.apply(put(ACME, "k1", "{\"a\":2}", 1, US_EAST, 101, "stale-newer"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertEquals(new StoredDocument(json("{\"a\":2}"), "0:3", 1, 101, US_EAST), applier.doc(ACME, "k1"));
        ConflictRecord conflict = singleConflict();
        assertEquals(Resolution.APPLIED, conflict.resolution());
        assertEquals(ConflictStrategy.LWW, conflict.strategy());
        assertEquals(EU_WEST, conflict.observedIn());
        assertEquals(2, conflict.fenceEpoch());
        assertEquals(1, conflict.recordEpoch());
    }

    @Test
    void shouldSupersedeStaleWriteWithOlderHlcUnderLastWriterWins() {
        documentThenFence(ConflictStrategy.LWW);

        ApplyOutcome older = applier.apply(put(ACME, "k1", "{\"a\":2}", 1, US_EAST, 99, "stale-older"));
        ApplyOutcome tie = applier.apply(put(ACME, "k1", "{\"a\":3}", 1, US_EAST, 100, "stale-tie"));

        // Superseded writes are acknowledged (they happened, and lost), but change nothing.
        assertEquals(Verdict.ACCEPTED, older.verdict());
        assertEquals(Verdict.ACCEPTED, tie.verdict());
        assertEquals(new StoredDocument(json(CURRENT), "0:1", 1, 100, US_EAST), applier.doc(ACME, "k1"));
        List<Resolution> resolutions = applier.readConflicts().stream().map(kv -> kv.value.resolution()).toList();
        assertEquals(List.of(Resolution.SUPERSEDED, Resolution.SUPERSEDED), resolutions);
    }

    @Test
    void shouldApplyStaleDeleteWithNewerHlcUnderLastWriterWins() {
        documentThenFence(ConflictStrategy.LWW);

        ApplyOutcome outcome = applier.apply(delete(ACME, "k1", 1, US_EAST, 150, "stale-delete"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertNull(applier.doc(ACME, "k1"));
        assertEquals(Resolution.APPLIED, singleConflict().resolution());
    }

    @Test
    void shouldApplyStaleWriteOfMissingDocumentUnderLastWriterWins() {
        documentThenFence(ConflictStrategy.LWW);

        ApplyOutcome outcome = applier.apply(put(ACME, "k2", "{\"b\":1}", 1, US_EAST, 1, "stale-new-key"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertEquals(new StoredDocument(json("{\"b\":1}"), "0:3", 1, 1, US_EAST), applier.doc(ACME, "k2"));
        assertEquals(Resolution.APPLIED, singleConflict().resolution());
    }

    @Test
    void shouldMergeStaleWriteOntoCurrentDocumentAsJsonMergePatch() {
        documentThenFence(ConflictStrategy.MERGE);

        ApplyOutcome outcome = applier.apply(put(ACME, "k1",
                "{\"nested\":{\"y\":3,\"z\":4},\"gone\":null,\"b\":\"new\"}", 1, US_EAST, 50, "stale-merge"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        // nested objects merge key by key, null removes a key, new keys are added, untouched keys stay
        assertEquals(new StoredDocument(json("{\"a\":1,\"nested\":{\"x\":1,\"y\":3,\"z\":4},\"b\":\"new\"}"), "0:3", 1,
                50, US_EAST), applier.doc(ACME, "k1"));
        ConflictRecord conflict = singleConflict();
        assertEquals(Resolution.MERGED, conflict.resolution());
        assertEquals(ConflictStrategy.MERGE, conflict.strategy());
    }

    @Test
    void shouldMergeStaleWriteOntoMissingDocumentWithoutItsNullMembers() {
        documentThenFence(ConflictStrategy.MERGE);

        applier.apply(put(ACME, "k2", "{\"a\":1,\"gone\":null,\"nested\":{\"x\":null,\"y\":2}}", 1, US_EAST, 50,
                "stale-merge-new"));

        // RFC 7386: a patch onto nothing is a patch onto {} — null members remove, so they are not stored.
        assertEquals(json("{\"a\":1,\"nested\":{\"y\":2}}"), applier.doc(ACME, "k2").value());
        assertEquals(Resolution.MERGED, singleConflict().resolution());
    }

    @Test
    void shouldDeleteDocumentOnStaleDeleteUnderMerge() {
        documentThenFence(ConflictStrategy.MERGE);

        assertEquals(Verdict.ACCEPTED, applier.apply(delete(ACME, "k1", 1, US_EAST, 1, "stale-delete")).verdict());

        assertNull(applier.doc(ACME, "k1"));
        assertEquals(Resolution.MERGED, singleConflict().resolution());
    }

    @Test
    void shouldResolveByStrategyOfTheFenceInForceNotOfTheRecordsEpoch() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
        applier.apply(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 100, "w1"));
        applier.pipe(fence(placement(ACME, 2, ConflictStrategy.REJECT)));

        assertEquals(Verdict.REJECTED_STALE_EPOCH,
                applier.apply(put(ACME, "k1", "{\"v\":2}", 1, US_EAST, 999, "stale")).verdict());
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k1").value());
    }

    @Test
    void shouldReportOneConflictPerStaleRecordAndNoneForCurrentWrites() {
        documentThenFence(ConflictStrategy.LWW);
        applier.apply(put(ACME, "k1", "{\"v\":2}", 2, US_EAST, 300, "current"));
        applier.apply(put(ACME, "k1", "{\"v\":3}", 1, US_EAST, 301, "stale-1"));
        applier.apply(put(ACME, "k2", "{\"v\":4}", 1, EU_WEST, 1, "stale-2"));

        List<ConflictRecord> conflicts = applier.readConflicts().stream().map(kv -> kv.value).toList();

        assertEquals(List.of("0:4", "0:5"), conflicts.stream().map(ConflictRecord::position).toList());
        assertEquals(List.of(US_EAST, EU_WEST), conflicts.stream().map(ConflictRecord::originRegion).toList());
        assertEquals(List.of(Resolution.APPLIED, Resolution.APPLIED),
                conflicts.stream().map(ConflictRecord::resolution).toList());
        assertEquals(json("{\"v\":3}"), applier.doc(ACME, "k1").value());
    }
}
