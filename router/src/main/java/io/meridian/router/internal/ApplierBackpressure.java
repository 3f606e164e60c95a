package io.meridian.router.internal;

import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplyTracker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a write before it is produced ({@code 503 applier_behind}) while this node's applier is further behind on
 * the tenant's WAL partition than {@code write.shed.after.ms}: while it has not read a record this node wrote there
 * that Kafka acknowledged longer ago than that ({@link ApplyTracker#applierDelay}). A write let through then would
 * wait at least as long, most likely until {@code write.apply.timeout.ms} answers it with a timeout that leaves the
 * client unsure, and each one adds to what the applier must get through before it catches up. The refusals go on
 * until the applier has read past that record, however long it is stuck. A refused write was not produced, so it
 * changes nothing, and its client knows that; it retries after Retry-After. Thread-safe.
 */
public final class ApplierBackpressure {
    private static final Logger LOG = LoggerFactory.getLogger(ApplierBackpressure.class);

    private final ApplyTracker tracker;
    private final String region;
    private final int walPartitions;
    private final Duration shedAfter;
    /** 1 for a partition whose writes are being refused, so that the log tells when it starts and when it ends. */
    private final AtomicIntegerArray refusing;

    /** @param shedAfter the longest wait for the applier that still lets writes through; zero: never refuse */
    public ApplierBackpressure(ApplyTracker tracker, String region, int walPartitions, Duration shedAfter) {
        this.tracker = tracker;
        this.region = region;
        this.walPartitions = walPartitions;
        this.shedAfter = shedAfter;
        this.refusing = new AtomicIntegerArray(walPartitions);
    }

    /** Throws {@code 503 applier_behind} if a write of {@code tenant} must not be produced now. */
    public void check(String tenant) {
        if (shedAfter.isZero()) {
            return;
        }
        int partition = WalPartitioner.partitionOf(tenant, walPartitions);
        Duration delay = tracker.applierDelay(partition);
        if (delay.compareTo(shedAfter) <= 0) {
            if (refusing.get(partition) == 1 && refusing.compareAndSet(partition, 1, 0)) {
                LOG.info("applier caught up: writes accepted again region={} partition={} delayMs={}", region,
                        partition, delay.toMillis());
            }
            return;
        }
        if (refusing.compareAndSet(partition, 0, 1)) {
            LOG.warn("applier behind: writes refused with 503 applier_behind region={} partition={} delayMs={}"
                    + " shedAfterMs={}", region, partition, delay.toMillis(), shedAfter.toMillis());
        }
        throw ApiException.of(ErrorCode.APPLIER_BEHIND, "region " + region + "'s applier is " + delay.toMillis()
                + " ms behind on WAL partition " + partition + " (write.shed.after.ms is " + shedAfter.toMillis()
                + "), so this write would most likely time out: it was refused and nothing was written. Retry after"
                + " the Retry-After delay", tenant, Map.of("partition", partition, "delayMs", delay.toMillis()), null);
    }
}
