package io.meridian.router;

import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.WalStats;
import java.util.Map;
import java.util.Optional;

/** Replication figures a test sets: by default nothing reported yet. Thread-safe (volatile knobs). */
final class FakeReplicationStatus implements ReplicationStatus {
    volatile Map<String, ReplicationLag> lags = Map.of();
    volatile Optional<WalStats> walStats = Optional.empty();
    volatile Map<Integer, Long> endOffsets = Map.of();
    volatile long walSizeBytes = -1;
    volatile Map<String, Long> conflicts = Map.of();

    @Override
    public Map<String, ReplicationLag> lagByRegion() {
        return lags;
    }

    @Override
    public Optional<WalStats> walStats() {
        return walStats;
    }

    @Override
    public Map<Integer, Long> walEndOffsets() {
        return endOffsets;
    }

    @Override
    public long walSizeBytes() {
        return walSizeBytes;
    }

    @Override
    public Map<String, Long> conflictsLastMinuteByStrategy() {
        return conflicts;
    }

    volatile long deadLettersLastMinute;
    volatile Optional<io.meridian.streams.KafkaClusterHealth> kafka = Optional.empty();

    @Override
    public Optional<io.meridian.streams.KafkaClusterHealth> kafkaHealth() {
        return kafka;
    }


    @Override
    public long deadLettersLastMinute() {
        return deadLettersLastMinute;
    }
}
