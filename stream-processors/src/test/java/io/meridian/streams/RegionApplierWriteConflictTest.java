package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.AP_SOUTH;
import static io.meridian.streams.WalFixtures.EU_WEST;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.json;
import static io.meridian.streams.WalFixtures.placement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictRecord.Resolution;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Multi-primary write conflicts: a write whose base version no longer matches the document, the current version
 * coming from another region, is resolved by the tenant's strategy and reported on {@code meridian.conflicts}; and
 * the client's If-Match precondition, in either mode. Observed from eu-west; records land at offsets 0, 1, 2...
 */
class RegionApplierWriteConflictTest {
    private static final String ABSENT = WalRecord.ABSENT;
    private static final String NONE = WalRecord.NO_VERSION;

    private ApplierDriver applier;

    @BeforeEach
    void start() {
        applier = new ApplierDriver(EU_WEST);
    }

    @AfterEach
    void stop() {
        applier.close();
    }

    private void multiPrimary(ConflictStrategy strategy) {
        applier.pipe(fence(placement(ACME, US_EAST, List.of(US_EAST, EU_WEST, AP_SOUTH), 1, WriteState.ACTIVE,
                strategy, ReplicationMode.MULTI_PRIMARY)));
    }

    private static WalRecord.Put put(String json, String region, long hlc, String writeId, String base) {
        return new WalRecord.Put(ACME, "k", json(json), 1, region, hlc, writeId, base, NONE);
    }

    private static WalRecord.Put putIfMatch(String json, String region, String writeId, String ifMatch) {
        return new WalRecord.Put(ACME, "k", json(json), 1, region, 10, writeId, NONE, ifMatch);
    }

    private ConflictRecord singleConflict() {
        List<KeyValue<String, ConflictRecord>> conflicts = applier.readConflicts();
        assertEquals(1, conflicts.size(), () -> "conflicts: " + conflicts);
        return conflicts.get(0).value;
    }

    @Test
    void shouldRejectConcurrentWriteFromAnotherRegionUnderReject() {
        multiPrimary(ConflictStrategy.REJECT);
        assertEquals(Verdict.ACCEPTED, applier.apply(put("{\"v\":1}", US_EAST, 100, "east", ABSENT)).verdict());

        ApplyOutcome outcome = applier.apply(put("{\"v\":2}", EU_WEST, 200, "west", ABSENT));

        assertEquals(Verdict.REJECTED_WRITE_CONFLICT, outcome.verdict());
        assertEquals("0:1", outcome.current());
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
        ConflictRecord conflict = singleConflict();
        assertTrue(conflict.isWriteConflict());
        assertEquals(Resolution.REJECTED, conflict.resolution());
        assertEquals("0:2", conflict.position());
        assertEquals(ABSENT, conflict.base());
        assertEquals("0:1", conflict.current());
        assertEquals("0:2", conflict.superseded(), "the rejected write is the one that does not survive");
        assertEquals(EU_WEST, conflict.originRegion());
    }

    @Test
    void shouldApplyWriteBasedOnTheCurrentVersion() {
        multiPrimary(ConflictStrategy.REJECT);
        applier.apply(put("{\"v\":1}", US_EAST, 100, "east", ABSENT));

        ApplyOutcome outcome = applier.apply(put("{\"v\":2}", EU_WEST, 200, "west", "0:1"));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value());
        assertEquals(List.of(), applier.readConflicts());
    }

    @Test
    void shouldOrderSameRegionRaceByTheLogAsInSinglePrimary() {
        multiPrimary(ConflictStrategy.REJECT);
        applier.apply(put("{\"v\":1}", US_EAST, 100, "one", ABSENT));

        ApplyOutcome outcome = applier.apply(put("{\"v\":2}", US_EAST, 90, "two", ABSENT));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value());
        assertEquals(List.of(), applier.readConflicts());
    }

    @Test
    void shouldIgnoreBaseInSinglePrimaryTenant() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
        applier.apply(put("{\"v\":1}", US_EAST, 100, "one", ABSENT));

        assertEquals(Verdict.ACCEPTED, applier.apply(put("{\"v\":2}", US_EAST, 90, "two", "7:7")).verdict());
        assertEquals(List.of(), applier.readConflicts());
    }

    @Test
    void shouldLetTheLaterTimestampWinUnderLww() {
        multiPrimary(ConflictStrategy.LWW);
        applier.apply(put("{\"v\":1}", US_EAST, 100, "east", ABSENT));

        ApplyOutcome older = applier.apply(put("{\"v\":2}", EU_WEST, 50, "west-old", ABSENT));
        assertEquals(Verdict.ACCEPTED, older.verdict());
        assertTrue(older.superseded(), "acknowledged, but the current document is newer");
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());

        ApplyOutcome newer = applier.apply(put("{\"v\":3}", AP_SOUTH, 300, "south", ABSENT));
        assertEquals(Verdict.ACCEPTED, newer.verdict());
        assertFalse(newer.superseded());
        assertEquals(new StoredDocument(json("{\"v\":3}"), "0:3", 1, 300, AP_SOUTH), applier.doc(ACME, "k"));

        List<ConflictRecord> conflicts = applier.readConflicts().stream().map(kv -> kv.value).toList();
        assertEquals(2, conflicts.size());
        assertEquals(Resolution.SUPERSEDED, conflicts.get(0).resolution());
        assertEquals("0:2", conflicts.get(0).superseded());
        assertEquals(Resolution.APPLIED, conflicts.get(1).resolution());
        assertEquals("0:1", conflicts.get(1).superseded(), "the document the newer write replaced");
    }

    @Test
    void shouldBreakTimestampTiesByRegionName() {
        multiPrimary(ConflictStrategy.LWW);
        applier.apply(put("{\"v\":1}", EU_WEST, 100, "west", ABSENT));

        ApplyOutcome tie = applier.apply(put("{\"v\":2}", US_EAST, 100, "east", ABSENT));

        assertFalse(tie.superseded(), "us-east > eu-west");
        assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value());
    }

    @Test
    void shouldMergeObjectsPerFieldAndOtherValuesByLww() {
        multiPrimary(ConflictStrategy.MERGE);
        applier.apply(put("{\"a\":1,\"shared\":\"east\",\"list\":[1],\"o\":{\"x\":1,\"y\":1}}", US_EAST, 100, "east",
                ABSENT));

        ApplyOutcome outcome = applier.apply(put("{\"b\":2,\"shared\":\"west\",\"list\":[2,3],\"o\":{\"y\":2,\"z\":2}}",
                EU_WEST, 200, "west", ABSENT));

        assertEquals(Verdict.ACCEPTED, outcome.verdict());
        assertEquals(new StoredDocument(json("{\"a\":1,\"shared\":\"west\",\"list\":[2,3],\"o\":{\"x\":1,\"y\":2,"
                + "\"z\":2},\"b\":2}"), "0:2", 1, 200, EU_WEST), applier.doc(ACME, "k"));
        ConflictRecord conflict = singleConflict();
        assertEquals(Resolution.MERGED, conflict.resolution());
        assertEquals("0:1", conflict.superseded(), "the document merged into the new one");

        // An older write merges too: where both have a field that is not an object, the newer (current) value stays.
        applier.apply(put("{\"shared\":\"south\",\"c\":3}", AP_SOUTH, 150, "south", ABSENT));
        assertEquals(json("{\"a\":1,\"shared\":\"west\",\"list\":[2,3],\"o\":{\"x\":1,\"y\":2,\"z\":2},\"b\":2,"
                + "\"c\":3}"), applier.doc(ACME, "k").value());
        assertEquals(200, applier.doc(ACME, "k").hlc(), "a merge keeps the newer timestamp");
    }

    @Test
    void shouldDecideDeleteAgainstPutByLwwUnderMerge() {
        multiPrimary(ConflictStrategy.MERGE);
        applier.apply(put("{\"v\":1}", US_EAST, 100, "east", ABSENT));

        ApplyOutcome delete = applier.apply(new WalRecord.Delete(ACME, "k", 1, EU_WEST, 50, "west", ABSENT, NONE));

        assertTrue(delete.superseded(), "the older delete loses");
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
    }

    @Test
    void shouldTreatWriteBasedOnADeletedVersionAsConflict() {
        multiPrimary(ConflictStrategy.REJECT);
        applier.apply(put("{\"v\":1}", US_EAST, 100, "east", ABSENT));
        applier.apply(new WalRecord.Delete(ACME, "k", 1, US_EAST, 110, "east-delete", "0:1", NONE));

        ApplyOutcome outcome = applier.apply(put("{\"v\":2}", US_EAST, 120, "east-again", "0:1"));

        assertEquals(Verdict.REJECTED_WRITE_CONFLICT, outcome.verdict(), "a deletion leaves no trace of its region");
        assertEquals(ABSENT, outcome.current());
        assertNull(applier.doc(ACME, "k"));
    }

    @Test
    void shouldRefuseWriteWhoseIfMatchDoesNotMatchInSinglePrimaryTenant() {
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
        applier.apply(putIfMatch("{\"v\":1}", US_EAST, "create", ABSENT));

        ApplyOutcome stale = applier.apply(putIfMatch("{\"v\":2}", US_EAST, "stale", ABSENT));
        assertEquals(Verdict.REJECTED_PRECONDITION, stale.verdict());
        assertEquals("0:1", stale.current());
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());

        assertEquals(Verdict.ACCEPTED, applier.apply(putIfMatch("{\"v\":3}", US_EAST, "fresh", "0:1")).verdict());
        assertEquals(json("{\"v\":3}"), applier.doc(ACME, "k").value());
        assertEquals(List.of(), applier.readConflicts(), "a failed precondition is the client's, not a conflict");
    }

    @Test
    void shouldCheckIfMatchBeforeTheConflictStrategyInMultiPrimaryTenant() {
        multiPrimary(ConflictStrategy.LWW);
        applier.apply(put("{\"v\":1}", US_EAST, 100, "east", ABSENT));

        ApplyOutcome outcome = applier.apply(new WalRecord.Put(ACME, "k", json("{\"v\":2}"), 1, EU_WEST, 500, "west",
                ABSENT, ABSENT));

        assertEquals(Verdict.REJECTED_PRECONDITION, outcome.verdict(), "even though lww would let it win");
        assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
    }

    @Test
    void shouldReportEveryRecordsTimestampToTheListener() {
        ApplyTracker tracker = new ApplyTracker();
        try (ApplierDriver observed = new ApplierDriver(EU_WEST, tracker)) {
            observed.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            observed.apply(put("{\"v\":1}", US_EAST, 5_000, "east", NONE));
            observed.apply(put("{\"v\":2}", US_EAST, 4_000, "east-2", NONE));
        }
        assertEquals(5_000, tracker.observedHlc());
    }
}
