package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.AP_SOUTH;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.json;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.streams.ApplyOutcome.Verdict;
import org.junit.jupiter.api.Test;

/**
 * What the applier writes to its changelogs per write (issue 10's amplification): a document where the region holds
 * the tenant, a write id only where a retry can repeat it and the region holds the tenant, never its position.
 */
class RegionApplierChangelogTest {

    @Test
    void shouldLogOnlyTheDocumentOfAWriteWhoseIdTheRouterMadeUp() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            applier.changelogRecords(ApplierStores.DOCS);
            applier.changelogRecords(ApplierStores.WRITE_IDS);

            for (int i = 0; i < 10; i++) {
                assertEquals(Verdict.ACCEPTED, applier.applyWithGeneratedId(
                        put(ACME, "k" + i, "{\"n\":" + i + "}", 1, US_EAST, i, "gen-" + i)).verdict());
            }

            assertEquals(10, applier.changelogRecords(ApplierStores.DOCS));
            assertEquals(0, applier.changelogRecords(ApplierStores.WRITE_IDS));
        }
    }

    @Test
    void shouldStillAnswerARetryOfAClientsIdempotencyKeyWithTheFirstOutcome() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            applier.applyWithGeneratedId(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 20, "gen-1"));

            ApplyOutcome retry = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"));

            assertEquals(first.position(), retry.writtenAt(), "a duplicate, not applied again");
            assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value());
            assertEquals(1, applier.changelogRecords(ApplierStores.WRITE_IDS), "the client's id alone");
        }
    }

    @Test
    void shouldLogNoAppliedPositionButTellHowFarItApplied() {
        // The driver commits after every record: a position store, even cached, would log one record per commit.
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            for (int i = 0; i < 5; i++) {
                applier.applyWithGeneratedId(put(ACME, "k" + i, "{}", 1, US_EAST, i, "gen-" + i));
            }

            assertEquals(0, applier.changelogRecords(ApplierStores.POSITIONS));
            assertEquals(5L, applier.appliedOffset(0), "the fence at 0 and five writes");
        }
    }

    @Test
    void shouldLogNothingForATenantTheRegionDoesNotHold() {
        // ACME is replicated to us-east and eu-west: ap-south decides its writes but keeps nothing of them.
        try (ApplierDriver applier = new ApplierDriver(AP_SOUTH)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            applier.changelogRecords(ApplierStores.DOCS);

            for (int i = 0; i < 5; i++) {
                assertEquals(Verdict.ACCEPTED,
                        applier.apply(put(ACME, "k" + i, "{}", 1, US_EAST, i, "w-" + i)).verdict());
            }

            assertEquals(0, applier.changelogRecords(ApplierStores.DOCS));
            assertEquals(0, applier.changelogRecords(ApplierStores.WRITE_IDS));
            assertNull(applier.doc(ACME, "k0"));
        }
    }
}
