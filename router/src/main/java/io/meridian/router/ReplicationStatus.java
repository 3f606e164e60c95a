package io.meridian.router;

import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.WalStats;
import io.meridian.streams.ApplierMetrics;
import io.meridian.streams.KafkaClusterHealth;
import io.meridian.streams.ReplicationMonitor;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /v1/replication/health} reports besides region health: the Kafka-derived replication figures.
 * Implemented by {@link ReplicationMonitor}; an interface so the router's tests can run without one.
 */
public interface ReplicationStatus {

    /** The latest lag of every region that has reported. */
    Map<String, ReplicationLag> lagByRegion();

    Optional<WalStats> walStats();

    /** End offsets of the WAL partitions, as the brokers last said. */
    Map<Integer, Long> walEndOffsets();

    /** Size of the WAL on the brokers' disks (one replica per partition), -1 until known. */
    long walSizeBytes();

    Map<String, Long> conflictsLastMinuteByStrategy();

    /** WAL records this node's applier sent to meridian.dlq in the last minute. */
    long deadLettersLastMinute();

    /** The brokers' health over Meridian's topics, as last asked; empty while unknown. */
    default Optional<KafkaClusterHealth> kafkaHealth() {
        return Optional.empty();
    }

    static ReplicationStatus of(ReplicationMonitor monitor, ApplierMetrics applier) {
        return new ReplicationStatus() {
            @Override
            public Map<String, ReplicationLag> lagByRegion() {
                return monitor.lagByRegion();
            }

            @Override
            public Optional<WalStats> walStats() {
                return monitor.walStats();
            }

            @Override
            public Map<Integer, Long> walEndOffsets() {
                return monitor.walEndOffsets();
            }

            @Override
            public long walSizeBytes() {
                return monitor.walSizeBytes();
            }

            @Override
            public Map<String, Long> conflictsLastMinuteByStrategy() {
                return monitor.conflictsLastMinuteByStrategy();
            }

            @Override
            public Optional<KafkaClusterHealth> kafkaHealth() {
                return monitor.clusterHealth();
            }

            @Override
            public long deadLettersLastMinute() {
                return applier.deadLettersLastMinute();
            }
        };
    }
}
