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
            assertEquals(first.position(), retry.position(), "the retry is told where the write landed first");
            assertTrue(retry.reason().startsWith("duplicate"), retry.reason());
            assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value(), "the newer write stays");
        }
    }

    @Test
    void shouldForgetWriteIdsAfterTheIdempotencyWindow() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            applier.advanceRecordTime(RegionApplierTopology.IDEMPOTENCY_WINDOW.toMillis() + 1);

            ApplyOutcome later = applier.apply(put(ACME, "k", "{\"v\":3}", 1, US_EAST, 40, "w-1"));

            assertEquals(Verdict.ACCEPTED, later.verdict());
            assertTrue(later.position().offset() > first.position().offset(), "applied as a new write");
            assertEquals(json("{\"v\":3}"), applier.doc(ACME, "k").value());
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
