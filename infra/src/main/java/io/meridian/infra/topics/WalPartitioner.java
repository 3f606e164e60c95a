package io.meridian.infra.topics;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The WAL partition of a tenant: the Java producer's default partitioner (murmur2 of the key), the one place that
 * knows it. Routers produce with that partitioner, the controller writes fences with it, and the applier checks that a
 * record sits in its tenant's partition (a librdkafka producer hashes with CRC32 by default and lands elsewhere).
 */
public final class WalPartitioner {
    private WalPartitioner() {
    }

    public static int partitionOf(String tenant, int partitions) {
        return Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
