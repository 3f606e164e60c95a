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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.serde.RawJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The digest's arithmetic, and the applier keeping it per tenant as documents change, also across a restart. */
class TenantDigestTest {
    private static byte[] doc(String value, long offset) {
        return new StoredDocument(json(value), "0:" + offset, 1, offset, US_EAST).toStored();
    }

    @Test
    void shouldNotDependOnOrderAndUndoWhatWasAdded() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add("acme/k" + i);
        }
        TenantDigest inOrder = new TenantDigest();
        keys.forEach(k -> inOrder.add(k, doc("{\"k\":\"" + k + "\"}", 1)));
        List<String> shuffled = new ArrayList<>(keys);
        Collections.shuffle(shuffled, new Random(7));
        TenantDigest otherOrder = new TenantDigest();
        shuffled.forEach(k -> otherOrder.add(k, doc("{\"k\":\"" + k + "\"}", 1)));
        assertEquals(inOrder.value(), otherOrder.value());
        assertTrue(inOrder.value().startsWith(TenantDigest.PREFIX), inOrder.value());

        // Overwriting one document: take the old out, put the new in; the same as digesting the new set.
        otherOrder.remove("acme/k3", doc("{\"k\":\"acme/k3\"}", 1));
        otherOrder.add("acme/k3", doc("{\"k\":\"acme/k3\",\"v\":2}", 9));
        TenantDigest fresh = new TenantDigest();
        keys.forEach(k -> fresh.add(k, k.equals("acme/k3") ? doc("{\"k\":\"acme/k3\",\"v\":2}", 9)
                : doc("{\"k\":\"" + k + "\"}", 1)));
        assertEquals(fresh.value(), otherOrder.value());
        assertEquals(fresh.bytes(), otherOrder.bytes());
        assertNotEquals(inOrder.value(), otherOrder.value());

        // Everything out again: the empty digest, sum zero (subtraction wraps modulo 2^256).
        keys.forEach(k -> fresh.remove(k, k.equals("acme/k3") ? doc("{\"k\":\"acme/k3\",\"v\":2}", 9)
                : doc("{\"k\":\"" + k + "\"}", 1)));
        assertEquals(new TenantDigest().value(), fresh.value());
        assertEquals(TenantDigest.PREFIX + "0".repeat(64), fresh.value());
        assertEquals(List.of(0L, 0L), List.of(fresh.documents(), fresh.bytes()));
    }

    @Test
    void shouldTellApartTheSameValueUnderAnotherKeyOrWrittenElsewhere() {
        TenantDigest a = new TenantDigest();
        a.add("acme/k1", doc("{\"v\":1}", 1));
        TenantDigest otherKey = new TenantDigest();
        otherKey.add("acme/k2", doc("{\"v\":1}", 1));
        TenantDigest otherPosition = new TenantDigest();
        otherPosition.add("acme/k1", doc("{\"v\":1}", 2));
        assertNotEquals(a.value(), otherKey.value());
        assertNotEquals(a.value(), otherPosition.value());
    }

    /**
     * Regions compare digests across versions (a rolling upgrade, a full sync's proof), so the value of a digest must
     * not change with the code: these figures were printed by the version that serialized each document for its
     * digest (2cb88f1), before the digest took the stored bytes.
     */
    @Test
    void shouldGiveTheDigestsOfEarlierVersions() {
        RawJson value = RawJson.parse("{\"v\":1,\"name\":\"caf\u00e9\",\"n\":[1.5,2]}");
        StoredDocument first = new StoredDocument(value, "3:17", 2, 1733389200000123L, US_EAST);
        StoredDocument second = new StoredDocument(RawJson.parse("\"text\""), "3:18", 2, 1733389200000124L, EU_WEST);
        TenantDigest digest = new TenantDigest();
        digest.add("acme/k1", first.toStored());
        digest.add("acme/k2", second.toStored());
        assertEquals("sum256:3433c69f7cedac66b580c10d06963ebaefaf0e6b60cdb3eee15dfacc2ee4c6d1", digest.value());
        assertEquals(List.of(2L, 200L), List.of(digest.documents(), digest.bytes()));
        assertEquals("sha256:f7c3a8348a60b682deb08cc40b4d5f72157891b13c2ab6ced5e3f0a84311692e",
                TenantDigest.keyDigest(first.toStored()));
    }

    @Test
    void shouldReadBackWhatItWrote() {
        TenantDigest digest = new TenantDigest();
        digest.add("acme/k1", doc("{\"v\":1}", 1));
        digest.add("acme/k2", doc("{\"v\":2}", 2));
        TenantDigest read = TenantDigest.fromBytes(digest.toBytes());
        assertEquals(List.of(digest.value(), digest.documents(), digest.bytes()),
                List.of(read.value(), read.documents(), read.bytes()));
        assertThrows(IllegalArgumentException.class, () -> TenantDigest.fromBytes(new byte[7]));
    }

    @Test
    void shouldKeepEachTenantsDigestAsItsDocumentsChangeAndStartFromAScanWhereNoneIsKept() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            applier.pipe(put(ACME, "k1", "{\"v\":1}", 1, US_EAST, 10, "w1"));
            applier.pipe(put(ACME, "k2", "{\"v\":2}", 1, US_EAST, 11, "w2"));
            applier.pipe(put(ACME, "k1", "{\"v\":3}", 1, US_EAST, 12, "w3"));
            applier.pipe(delete(ACME, "k2", 1, US_EAST, 13, "w4"));
            assertKeptIsScanned(applier, 1);

            // A task starts with no digest kept, also when its documents were restored from the changelog: the first
            // change digests the tenant by a scan, then keeps it again.
            applier.forgetKeptDigest(ACME);
            applier.pipe(put(ACME, "k3", "{\"v\":4}", 1, US_EAST, 14, "w5"));
            assertKeptIsScanned(applier, 2);

            // Dropped from this region: no documents, and nothing kept for a tenant no longer held.
            applier.pipe(fence(new io.meridian.infra.model.Placement(ACME, EU_WEST, List.of(EU_WEST), 2,
                    io.meridian.infra.model.WriteState.ACTIVE, ConflictStrategy.LWW,
                    io.meridian.infra.model.ReplicationMode.SINGLE_PRIMARY)));
            assertNull(applier.keptDigest(ACME));
            assertEquals(0, applier.scannedDigest(ACME).documents());
        }
    }

    private static void assertKeptIsScanned(ApplierDriver applier, long documents) {
        TenantDigest kept = applier.keptDigest(ACME);
        assertNotNull(kept, "the applier keeps the digest of a tenant it wrote");
        TenantDigest scanned = applier.scannedDigest(ACME);
        assertEquals(List.of(scanned.value(), scanned.documents(), scanned.bytes()),
                List.of(kept.value(), kept.documents(), kept.bytes()));
        assertEquals(documents, kept.documents());
    }
}
