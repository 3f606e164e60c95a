package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;
import java.util.Objects;

/**
 * Where a tenant lives: its primary region, the regions holding a copy (the primary included), the epoch bumped by
 * every change, whether writes are active or paused, the conflict strategy and the replication mode. Immutable.
 *
 * <p>Optional since they were added, each read as its default when absent: the {@code write_concern} a write gets
 * when it names none, the {@code preferred_primary} that failback returns the tenant to, and the replica regions
 * still {@code syncing} (being filled from a snapshot; they serve no reads and are neither failover candidates nor
 * migration targets until they have caught up).
 */
public record Placement(
        @JsonProperty(value = "tenant", required = true) String tenant,
        @JsonProperty(value = "primary", required = true) String primary,
        @JsonProperty(value = "replicas", required = true) List<String> replicas,
        @JsonProperty(value = "epoch", required = true) long epoch,
        @JsonProperty(value = "writes", required = true) WriteState writes,
        @JsonProperty(value = "strategy", required = true) ConflictStrategy strategy,
        @JsonProperty(value = "mode", required = true) ReplicationMode mode,
        @JsonProperty("write_concern") @JsonSetter(nulls = Nulls.AS_EMPTY) WriteConcern writeConcern,
        @JsonProperty("preferred_primary") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_NULL) String preferredPrimary,
        @JsonProperty("syncing") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> syncing) {

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
        writeConcern = writeConcern == null ? WriteConcern.LOCAL : writeConcern;
        if (preferredPrimary != null && preferredPrimary.isEmpty()) {
            preferredPrimary = null;
        }
        if (preferredPrimary != null && !replicas.contains(preferredPrimary)) {
            throw new IllegalArgumentException("the preferred primary '" + preferredPrimary
                    + "' must be one of the replicas " + replicas);
        }
        syncing = syncing == null ? List.of() : List.copyOf(syncing);
        for (String region : syncing) {
            if (!replicas.contains(region) || region.equals(primary)) {
                throw new IllegalArgumentException("syncing region '" + region
                        + "' must be a replica other than the primary " + primary);
            }
        }
    }

    /** A placement with the defaults of the optional fields: local write concern, no preferred primary, none syncing. */
    public Placement(String tenant, String primary, List<String> replicas, long epoch, WriteState writes,
                     ConflictStrategy strategy, ReplicationMode mode) {
        this(tenant, primary, replicas, epoch, writes, strategy, mode, WriteConcern.LOCAL, null, List.of());
    }

    public boolean isReplicatedTo(String region) {
        return replicas.contains(region);
    }

    /** Whether {@code region} may accept writes for this tenant in this placement's mode. */
    public boolean acceptsWritesIn(String region) {
        return mode == ReplicationMode.MULTI_PRIMARY ? replicas.contains(region) : primary.equals(region);
    }

    /** Whether {@code region} holds a caught-up copy: a replica that is not still syncing. */
    public boolean isCaughtUpIn(String region) {
        return replicas.contains(region) && !syncing.contains(region);
    }

    public Placement withEpoch(long newEpoch) {
        return new Placement(tenant, primary, replicas, newEpoch, writes, strategy, mode, writeConcern,
                preferredPrimary, syncing);
    }

    public Placement withWrites(WriteState newWrites, long newEpoch) {
        return new Placement(tenant, primary, replicas, newEpoch, newWrites, strategy, mode, writeConcern,
                preferredPrimary, syncing);
    }

    public Placement withPrimary(String newPrimary, long newEpoch) {
        return new Placement(tenant, newPrimary, replicas, newEpoch, writes, strategy, mode, writeConcern,
                preferredPrimary, syncing);
    }

    public Placement withWriteConcern(WriteConcern newConcern, long newEpoch) {
        return new Placement(tenant, primary, replicas, newEpoch, writes, strategy, mode, newConcern,
                preferredPrimary, syncing);
    }

    public Placement withPreferredPrimary(String newPreferred, long newEpoch) {
        return new Placement(tenant, primary, replicas, newEpoch, writes, strategy, mode, writeConcern,
                newPreferred, syncing);
    }

    /** The same placement with {@code newReplicas}, of which {@code newSyncing} are still being filled. */
    public Placement withReplicas(List<String> newReplicas, List<String> newSyncing, long newEpoch) {
        return new Placement(tenant, primary, newReplicas, newEpoch, writes, strategy, mode, writeConcern,
                preferredPrimary != null && newReplicas.contains(preferredPrimary) ? preferredPrimary : null,
                newSyncing);
    }
}
