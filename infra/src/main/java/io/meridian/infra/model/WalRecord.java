package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One entry of the write-ahead log {@code meridian.wal}, keyed by tenant: a data record ({@link Put}, {@link Delete})
 * or a {@link Fence} that the controller writes with every placement change. Appliers read both in log order, which
 * makes the log the single order of writes and placement changes.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = WalRecord.Put.class, name = "put"),
        @JsonSubTypes.Type(value = WalRecord.Delete.class, name = "delete"),
        @JsonSubTypes.Type(value = WalRecord.Fence.class, name = "fence")
})
public sealed interface WalRecord {

    String tenant();

    /** Hybrid-logical-clock timestamp of the writer ({@link io.meridian.infra.clock.HybridLogicalClock}). */
    long hlc();

    /** A write of one document: {@link Put} or {@link Delete}. */
    sealed interface DataRecord extends WalRecord {
        String key();

        /** The placement epoch the router saw when it accepted the write. */
        long epoch();

        /** The region whose router accepted the write. */
        String region();

        /** Unique per client write (the client's Idempotency-Key, or one the router made). */
        String writeId();
    }

    record Put(
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "key", required = true) String key,
            @JsonProperty(value = "value", required = true) JsonNode value,
            @JsonProperty(value = "epoch", required = true) long epoch,
            @JsonProperty(value = "region", required = true) String region,
            @JsonProperty(value = "hlc", required = true) long hlc,
            @JsonProperty(value = "writeId", required = true) String writeId) implements DataRecord {
        public Put {
            requireData(tenant, key, epoch, region, writeId);
            if (value == null || value.isNull() || value.isMissingNode()) {
                throw new IllegalArgumentException("a put needs a JSON value that is not null");
            }
        }
    }

    record Delete(
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "key", required = true) String key,
            @JsonProperty(value = "epoch", required = true) long epoch,
            @JsonProperty(value = "region", required = true) String region,
            @JsonProperty(value = "hlc", required = true) long hlc,
            @JsonProperty(value = "writeId", required = true) String writeId) implements DataRecord {
        public Delete {
            requireData(tenant, key, epoch, region, writeId);
        }
    }

    /**
     * The placement in force from this point of the tenant's partition on. Written in the same Kafka transaction as
     * the placement itself and the lifecycle event, by the controller whose epoch it carries.
     */
    record Fence(
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "placement", required = true) Placement placement,
            @JsonProperty(value = "controllerEpoch", required = true) long controllerEpoch,
            @JsonProperty(value = "reason", required = true) String reason,
            @JsonProperty(value = "hlc", required = true) long hlc) implements WalRecord {
        public Fence {
            Names.requireTenant(tenant);
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(reason, "reason");
            if (!placement.tenant().equals(tenant)) {
                throw new IllegalArgumentException("fence for tenant '" + tenant + "' carries the placement of '"
                        + placement.tenant() + "'");
            }
        }

        public long epoch() {
            return placement.epoch();
        }
    }

    private static void requireData(String tenant, String key, long epoch, String region, String writeId) {
        Names.requireTenant(tenant);
        Names.requireKey(key);
        Names.requireRegion(region);
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1, got " + epoch);
        }
        if (writeId == null || writeId.isBlank()) {
            throw new IllegalArgumentException("writeId must not be blank");
        }
    }
}
