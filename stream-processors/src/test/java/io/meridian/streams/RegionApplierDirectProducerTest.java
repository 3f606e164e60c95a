package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.EU_WEST;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplyOutcome.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code meridian.wal} is Meridian's own log: what other producers write there is never put in force silently. A
 * fence, which only the controller writes, in its tenant's partition and with ever newer epochs, is dead-lettered when
 * it is on another partition or not newer than the one in force, with a reason and a count by reason; so are data
 * records a router cannot have written (on the wrong partition: a librdkafka producer hashes keys with CRC32).
 */
class RegionApplierDirectProducerTest {
    /** A tenant whose WAL partition, of 12, is not 0 (the driver feeds partition 0 only). */
    private static final String ELSEWHERE = IntStream.range(0, 100).mapToObj(i -> "tenant-" + i)
            .filter(t -> WalPartitioner.partitionOf(t, 12) != 0).findFirst().orElseThrow();
    /** A tenant whose WAL partition, of 12, is 0. */
    private static final String HOME = IntStream.range(0, 100).mapToObj(i -> "tenant-" + i)
            .filter(t -> WalPartitioner.partitionOf(t, 12) == 0).findFirst().orElseThrow();

    private static double deadLetters(SimpleMeterRegistry registry, DeadLetter.Code code) {
        return registry.get(MetricNames.APPLIER_DEAD_LETTERS).tag(MetricNames.TAG_REASON, code.wireName())
                .counter().count();
    }

    @Test
    void shouldDeadLetterAFenceOnAnotherPartitionThanItsTenantsAndNotPutItInForce() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ApplierDriver applier = new ApplierDriver(US_EAST, new ApplierMetrics(registry, Clock.systemUTC()),
                RegionApplierTopology.IDEMPOTENCY_WINDOW_RECORDS, 12)) {
            // A producer with another partitioner wrote the tenant's fence and then its data to partition 0.
            applier.pipe(fence(placement(ELSEWHERE, 1, ConflictStrategy.REJECT)));                // offset 0
            ApplyOutcome put = applier.apply(put(ELSEWHERE, "k", "{\"v\":1}", 1, US_EAST, 1, "w1")); // offset 1

            assertNull(applier.fenceOf(ELSEWHERE), "a fence on the wrong partition is not in force");
            assertEquals(Verdict.REJECTED_UNKNOWN_TENANT, put.verdict());
            assertNull(applier.doc(ELSEWHERE, "k"), "nothing applied");
            List<DeadLetter> letters = applier.readDeadLetters().stream().map(kv -> kv.value).toList();
            assertEquals(List.of(0L, 1L), letters.stream().map(DeadLetter::offset).toList());
            assertEquals(List.of(DeadLetter.Code.WRONG_PARTITION, DeadLetter.Code.WRONG_PARTITION),
                    letters.stream().map(DeadLetter::code).toList());
            assertTrue(letters.get(0).reason().contains("fence of tenant " + ELSEWHERE + " belongs on WAL partition "
                    + WalPartitioner.partitionOf(ELSEWHERE, 12) + ", not 0"), letters.get(0).reason());
            assertEquals(Topics.WAL.name(), letters.get(0).topic());
            assertEquals(2, deadLetters(registry, DeadLetter.Code.WRONG_PARTITION));
            assertEquals(1L, applier.appliedOffset(0), "the partition goes on");
        }
    }

    @Test
    void shouldStillPutInForceAFenceOnItsTenantsPartition() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, ApplyListener.NONE,
                RegionApplierTopology.IDEMPOTENCY_WINDOW_RECORDS, 12)) {
            Placement placement = placement(HOME, 1, ConflictStrategy.REJECT);
            applier.pipe(fence(placement));

            assertEquals(placement, applier.fenceOf(HOME));
            assertEquals(Verdict.ACCEPTED, applier.apply(put(HOME, "k", "{}", 1, US_EAST, 1, "w1")).verdict());
            assertTrue(applier.readDeadLetters().isEmpty());
        }
    }

    @Test
    void shouldDeadLetterFencesThatAreNotNewerThanTheOneInForce() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ApplierDriver applier = new ApplierDriver(US_EAST, new ApplierMetrics(registry, Clock.systemUTC()))) {
            Placement epoch3 = placement(ACME, 3, ConflictStrategy.REJECT);
            applier.pipe(fence(epoch3, 5));                                                       // offset 0
            // A deposed controller's fence (older controller epoch), and one not newer than the epoch in force.
            applier.pipe(fence(placement(ACME, EU_WEST, List.of(US_EAST, EU_WEST), 4, WriteState.ACTIVE,
                    ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY), 4));                 // offset 1
            applier.pipe(fence(placement(ACME, EU_WEST, List.of(US_EAST, EU_WEST), 3, WriteState.ACTIVE,
                    ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY), 5));                 // offset 2

            assertEquals(epoch3, applier.fenceOf(ACME));
            List<DeadLetter> letters = applier.readDeadLetters().stream().map(kv -> kv.value).toList();
            assertEquals(List.of(1L, 2L), letters.stream().map(DeadLetter::offset).toList());
            assertTrue(letters.stream().allMatch(l -> l.code() == DeadLetter.Code.FENCE_IGNORED), letters::toString);
            assertTrue(letters.get(0).reason().contains("controller epoch 4 is older than 5"), letters.get(0).reason());
            assertTrue(letters.get(1).reason().contains("epoch 3 of tenant acme is not newer than epoch 3"),
                    letters.get(1).reason());
            assertEquals(2, deadLetters(registry, DeadLetter.Code.FENCE_IGNORED));
            assertEquals(Verdict.ACCEPTED, applier.apply(put(ACME, "k", "{}", 3, US_EAST, 1, "w1")).verdict());
        }
    }
}
