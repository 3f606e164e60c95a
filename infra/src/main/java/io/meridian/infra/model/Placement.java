package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Where a tenant lives: its primary region, the regions holding a copy (the primary included), the epoch bumped by
 * every change, whether writes are active or paused, the conflict strategy and the replication mode. Immutable.
 */
public record Placement(
        @JsonProperty(value = "tenant", required = true) String tenant,
        @JsonProperty(value = "primary", required = true) String primary,
        @JsonProperty(value = "replicas", required = true) List<String> replicas,
        @JsonProperty(value = "epoch", required = true) long epoch,
        @JsonProperty(value = "writes", required = true) WriteState writes,
        @JsonProperty(value = "strategy", required = true) ConflictStrategy strategy,
        @JsonProperty(value = "mode", required = true) ReplicationMode mode) {

    public Placement {
        Names.requireTenant(tenant);
        Names.requireRegion(primary);
        Objects.requireNonNull(replicas, "replicas");
        replicas.forEach(Names::requireRegion);
        replicas = List.copyOf(replicas);
        if (!replicas.contains(primary)) {
            throw new IllegalArgumentException("the primary region '" + primary + "' must be one of the replicas " + replicas);
        }
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new IllegalArgumentException("replicas " + replicas + " name a region twice");
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1, got " + epoch);
        }
        Objects.requireNonNull(writes, "writes");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(mode, "mode");
    }

    public boolean isReplicatedTo(String region) {
        return replicas.contains(region);
    }

    /** Whether {@code region} may accept writes for this tenant in this placement's mode. */
    public boolean acceptsWritesIn(String region) {
        return mode == ReplicationMode.MULTI_PRIMARY ? replicas.contains(region) : primary.equals(region);
    }

    public Placement withEpoch(long newEpoch) {
        return new Placement(tenant, primary, replicas, newEpoch, writes, strategy, mode);
    }

    public Placement withWrites(WriteState newWrites, long newEpoch) {
        return new Placement(tenant, primary, replicas, newEpoch, newWrites, strategy, mode);
    }

    public Placement withPrimary(String newPrimary, long newEpoch) {
        return new Placement(tenant, newPrimary, replicas, newEpoch, writes, strategy, mode);
    }
}
