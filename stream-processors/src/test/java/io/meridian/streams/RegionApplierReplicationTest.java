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

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every region decides every record; only replica regions materialize it. acme is replicated to us-east and eu-west,
 * never to ap-south.
 */
class RegionApplierReplicationTest {

    /** Same verdict, position, write and fence: what the router of any region would answer. */
    private record Decision(String writeId, String position, Verdict verdict, Placement fence) {
        static Decision of(ApplyOutcome outcome) {
            return new Decision(outcome.writeId(), outcome.position().toString(), outcome.verdict(), outcome.fence());
        }
    }

    private static List<Decision> decisions(ApplierDriver applier) {
        return applier.listener.decisions.stream().map(Decision::of).toList();
    }

    /** A log with every kind of verdict, including conflicts resolved each way under each strategy. */
    private static List<WalRecord> mixedLog() {
        return List.of(
                put(ACME, "k0", "{\"early\":true}", 1, US_EAST, 1, "unknown"),
                fence(placement(ACME, 1, ConflictStrategy.LWW)),
                put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 10, "accepted-1"),
                put(ACME, "k2", "{\"v\":2,\"o\":{\"a\":1}}", 1, US_EAST, 11, "accepted-2"),
                put(ACME, "k1", "{\"v\":3}", 1, EU_WEST, 12, "not-primary"),
                fence(placement(ACME, 2, ConflictStrategy.LWW)),
                put(ACME, "k1", "{\"v\":4}", 1, US_EAST, 5, "lww-superseded"),
                put(ACME, "k2", "{\"v\":5}", 1, US_EAST, 50, "lww-applied"),
                fence(placement(ACME, 3, ConflictStrategy.MERGE)),
                put(ACME, "k2", "{\"o\":{\"b\":2},\"v\":null}", 2, US_EAST, 60, "merged"),
                fence(placement(ACME, 4, ConflictStrategy.REJECT)),
                put(ACME, "k1", "{\"v\":6}", 3, US_EAST, 70, "rejected-stale"),
                delete(ACME, "k2", 4, US_EAST, 71, "deleted"),
                fence(placement(ACME, 5, ConflictStrategy.REJECT).withWrites(WriteState.PAUSED, 5)),
                put(ACME, "k1", "{\"v\":7}", 5, US_EAST, 80, "paused"));
    }

    @Test
    void shouldDecideWritesOfTenantNotReplicatedHereExactlyLikeReplicaRegionButNotMaterializeThem() {
        try (ApplierDriver replica = new ApplierDriver(US_EAST); ApplierDriver outsider = new ApplierDriver(AP_SOUTH)) {
            for (WalRecord record : mixedLog()) {
                replica.pipe(record);
                outsider.pipe(record);
            }

            assertEquals(List.of(Verdict.REJECTED_UNKNOWN_TENANT, Verdict.ACCEPTED, Verdict.ACCEPTED,
                            Verdict.REJECTED_NOT_WRITABLE_HERE, Verdict.ACCEPTED, Verdict.ACCEPTED, Verdict.ACCEPTED,
                            Verdict.REJECTED_STALE_EPOCH, Verdict.ACCEPTED, Verdict.REJECTED_PAUSED),
                    decisions(replica).stream().map(Decision::verdict).toList());
            assertEquals(decisions(replica), decisions(outsider), "every region decides the same way");

            assertEquals(List.of("k1"), List.copyOf(replica.documents(ACME).keySet()));
            assertEquals(new StoredDocument(json("{\"v\":1}"), "0:2", 1, 10, US_EAST), replica.doc(ACME, "k1"));
            assertTrue(outsider.documents(ACME).isEmpty(), "ap-south holds no copy of acme");
            assertEquals(replica.fenceOf(ACME), outsider.fenceOf(ACME), "but it knows acme's placement");

            // Only the region holding the tenant reports its conflicts: it alone knows the stored documents.
            List<ConflictRecord> replicaConflicts = replica.readConflicts().stream().map(kv -> kv.value).toList();
            assertEquals(List.of("0:6", "0:7", "0:9", "0:11"),
                    replicaConflicts.stream().map(ConflictRecord::position).toList());
            assertTrue(replicaConflicts.stream().allMatch(c -> c.observedIn().equals(US_EAST)));
            assertTrue(outsider.readConflicts().isEmpty(), "ap-south reports no conflicts of a tenant it does not hold");
        }
    }

    @Test
    void shouldMaterializeSameDocumentsInEveryReplicaRegion() {
        try (ApplierDriver east = new ApplierDriver(US_EAST); ApplierDriver west = new ApplierDriver(EU_WEST)) {
            for (WalRecord record : mixedLog()) {
                east.pipe(record);
                west.pipe(record);
            }

            assertEquals(decisions(east), decisions(west));
            assertEquals(east.documents(ACME), west.documents(ACME));
            assertEquals(1, west.documents(ACME).size());
        }
    }

    @Test
    void shouldDropTenantDocumentsWhenFenceRemovesThisRegionFromReplicas() {
        try (ApplierDriver east = new ApplierDriver(US_EAST); ApplierDriver west = new ApplierDriver(EU_WEST)) {
            List<WalRecord> log = List.of(
                    fence(placement(ACME, 1, ConflictStrategy.REJECT)),
                    // "acme-2" shares acme's prefix: dropping acme must not touch it
                    fence(placement("acme-2", 1, ConflictStrategy.REJECT)),
                    put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 1, "w1"),
                    put(ACME, "k2", "{\"v\":2}", 1, US_EAST, 2, "w2"),
                    put("acme-2", "k1", "{\"other\":true}", 1, US_EAST, 3, "w3"),
                    fence(placement(ACME, US_EAST, List.of(US_EAST), 2, WriteState.ACTIVE, ConflictStrategy.REJECT,
                            ReplicationMode.SINGLE_PRIMARY)),
                    put(ACME, "k3", "{\"v\":3}", 2, US_EAST, 4, "w4"));
            for (WalRecord record : log) {
                east.pipe(record);
                west.pipe(record);
            }

            assertTrue(west.documents(ACME).isEmpty(), "eu-west stopped being a replica of acme");
            assertEquals(new StoredDocument(json("{\"other\":true}"), "0:4", 1, 3, US_EAST), west.doc("acme-2", "k1"));
            assertEquals(List.of("k1", "k2", "k3"), List.copyOf(east.documents(ACME).keySet()));
            assertEquals(decisions(east), decisions(west));
            assertEquals(Verdict.ACCEPTED, west.listener.decisions.get(3).verdict(),
                    "a write after the drop is still decided in eu-west");
            assertNull(west.doc(ACME, "k3"));
        }
    }

    @Test
    void shouldKeepDocumentsWhenNewerFenceKeepsThisRegionAsReplica() {
        try (ApplierDriver west = new ApplierDriver(EU_WEST)) {
            west.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            west.pipe(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 1, "w1"));
            // failover: eu-west becomes primary, us-east stays a replica
            west.pipe(fence(placement(ACME, EU_WEST, List.of(US_EAST, EU_WEST), 2, WriteState.ACTIVE,
                    ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY)));

            assertEquals(json("{\"v\":1}"), west.doc(ACME, "k1").value());
        }
    }
}
