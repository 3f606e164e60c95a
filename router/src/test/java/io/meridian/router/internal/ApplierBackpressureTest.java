package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.Position;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplyTracker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Writes refused while the applier is behind on their partition, and only then. */
class ApplierBackpressureTest {
    private static final int PARTITIONS = 12;
    private static final Duration SHED_AFTER = Duration.ofMillis(30);

    private final ApplyTracker tracker = new ApplyTracker();
    private final ApplierBackpressure backpressure = new ApplierBackpressure(tracker, "us-east", PARTITIONS,
            SHED_AFTER);

    @Test
    void shouldRefuseWritesOfTheLaggingPartitionOnlyUntilTheApplierReadsTheWaitingRecord() throws Exception {
        String behind = "acme";
        String elsewhere = tenantOutside(partitionOf(behind));
        Position waiting = new Position(partitionOf(behind), 41);
        tracker.onPartitionOpened(waiting.partition());
        tracker.expect(behind, "w1").produced(waiting);
        assertDoesNotThrow(() -> backpressure.check(behind), "not behind yet");

        Thread.sleep(SHED_AFTER.toMillis() * 2);

        ApiException refused = assertThrows(ApiException.class, () -> backpressure.check(behind));
        assertEquals(ErrorCode.APPLIER_BEHIND, refused.code());
        assertEquals(waiting.partition(), refused.details().get("partition"));
        assertTrue((Long) refused.details().get("delayMs") >= SHED_AFTER.toMillis() * 2, refused.getMessage());
        assertTrue(refused.getMessage().contains("nothing was written"), refused.getMessage());
        assertDoesNotThrow(() -> backpressure.check(elsewhere), "another partition is not behind");

        tracker.onApplied(waiting);
        assertDoesNotThrow(() -> backpressure.check(behind));
    }

    @Test
    void shouldNeverRefuseWhenTurnedOff() throws Exception {
        ApplierBackpressure off = new ApplierBackpressure(tracker, "us-east", PARTITIONS, Duration.ZERO);
        tracker.onPartitionOpened(partitionOf("acme"));
        tracker.expect("acme", "w1").produced(new Position(partitionOf("acme"), 0));
        Thread.sleep(SHED_AFTER.toMillis() * 2);

        assertDoesNotThrow(() -> off.check("acme"));
    }

    private static int partitionOf(String tenant) {
        return WalPartitioner.partitionOf(tenant, PARTITIONS);
    }

    private static String tenantOutside(int partition) {
        for (int i = 0; ; i++) {
            if (partitionOf("t" + i) != partition) {
                return "t" + i;
            }
        }
    }
}
