package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.json;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.streams.ApplyOutcome.Verdict;
import org.junit.jupiter.api.Test;

class RegionApplierIdempotencyTest {

    @Test
    void shouldAnswerALateRetryWithTheFirstOutcomeAndNotOverwriteNewerWrites() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            applier.apply(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 20, "w-2"));

            ApplyOutcome retry = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"));

            assertEquals(Verdict.ACCEPTED, retry.verdict());
            assertEquals(first.position(), retry.writtenAt(), "the retry is told where the write landed first");
            assertTrue(retry.reason().startsWith("duplicate"), retry.reason());
            assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value(), "the newer write stays");
        }
    }

    @Test
    void shouldForgetWriteIdsAfterTheIdempotencyWindowCountedInRecords() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, ApplyListener.NONE, 5)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            for (int i = 0; i < 5; i++) {
                applier.apply(put(ACME, "other", "{}", 1, US_EAST, 11 + i, "filler-" + i));
            }

            ApplyOutcome later = applier.apply(put(ACME, "k", "{\"v\":3}", 1, US_EAST, 40, "w-1"));

            assertEquals(Verdict.ACCEPTED, later.verdict());
            assertEquals(later.position(), later.writtenAt(), "applied as a new write, five records on");
            assertTrue(later.position().offset() > first.position().offset());
            assertEquals(json("{\"v\":3}"), applier.doc(ACME, "k").value());
        }
    }

    @Test
    void shouldNotApplyARetryStampedEarlierThanTheFirstAttempt() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            long now = ApplierDriver.START_MS + 10_000;
            applier.pipeAt(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"), now);
            applier.pipeAt(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 20, "w-2"), now + 1);

            // The retry comes from a node whose clock is ten minutes behind (another node, a failover, an NTP step).
            applier.pipeAt(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"), now - 600_000);

            ApplyOutcome retry = applier.listener.decisions.get(applier.listener.decisions.size() - 1);
            assertEquals(Verdict.ACCEPTED, retry.verdict());
            assertEquals(applier.listener.decisions.get(0).position(), retry.writtenAt());
            assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value(), "the newer acknowledged write stays");
        }
    }

    @Test
    void shouldKeepOtherTenantsIdsWhenOneRecordIsStampedFarInTheFuture() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            applier.pipe(fence(placement("beta", 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            applier.apply(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 20, "w-2"));
            // One producer with a clock a day ahead.
            applier.pipeAt(put("beta", "x", "{}", 1, US_EAST, 25, "b-1"), ApplierDriver.START_MS + 86_400_000L);

            ApplyOutcome retry = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"));

            assertEquals(first.position(), retry.writtenAt(), "still recognized as the first write's retry");
            assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value());
        }
    }

    @Test
    void shouldRefuseTheSameIdempotencyKeyForAnotherDocumentAndApplyNothing() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));

            ApplyOutcome otherValue = applier.apply(put(ACME, "k", "{\"v\":9}", 1, US_EAST, 20, "w-1"));
            ApplyOutcome otherKey = applier.apply(put(ACME, "k2", "{\"v\":1}", 1, US_EAST, 30, "w-1"));

            assertEquals(Verdict.REJECTED_ID_REUSED, otherValue.verdict());
            assertEquals(first.position(), otherValue.writtenAt());
            assertEquals(Verdict.REJECTED_ID_REUSED, otherKey.verdict());
            assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
            assertEquals(null, applier.doc(ACME, "k2"));
        }
    }

    @Test
    void shouldTreatTheSameIdempotencyKeyOfTwoTenantsAsTwoWrites() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement("ta", 1, ConflictStrategy.REJECT)));
            applier.pipe(fence(placement("tb", 1, ConflictStrategy.REJECT)));

            ApplyOutcome a = applier.apply(put("ta", "k", "{\"t\":\"a\"}", 1, US_EAST, 10, "shared"));
            ApplyOutcome b = applier.apply(put("tb", "k", "{\"t\":\"b\"}", 1, US_EAST, 11, "shared"));

            assertEquals(Verdict.ACCEPTED, a.verdict());
            assertEquals(Verdict.ACCEPTED, b.verdict());
            assertEquals(b.position(), b.writtenAt());
            assertEquals(json("{\"t\":\"b\"}"), applier.doc("tb", "k").value());
        }
    }

    @Test
    void shouldNotRememberARejectedWriteSoItsRetryIsDecidedAgain() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            applier.pipe(fence(placement(ACME, 2, ConflictStrategy.REJECT)));
            assertEquals(Verdict.REJECTED_STALE_EPOCH,
                    applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1")).verdict());

            ApplyOutcome retry = applier.apply(put(ACME, "k", "{\"v\":1}", 2, US_EAST, 20, "w-1"));

            assertEquals(Verdict.ACCEPTED, retry.verdict());
            assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
        }
    }
}
