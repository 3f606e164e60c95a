package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.Nulls;
import io.meridian.infra.serde.RawJson;
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

        /**
         * The version of the document the write was based on: the position of the document as the writer's region
         * had last applied it, {@link #ABSENT} when that region had none, or {@link #NO_VERSION} when the write names
         * no base (single-primary writes, and records written before bases existed). In a multi-primary tenant, a
         * base that no longer matches when the record is applied, the current version coming from another region, is
         * a write conflict.
         */
        String base();

        /**
         * The version the client required ({@code If-Match}): the write applies only if the document is at this
         * version when the record is applied ({@link #ABSENT}: only if there is no document). {@link #NO_VERSION}
         * when the client asked for nothing.
         */
        String ifMatch();
    }

    /** The version of a document that does not exist. */
    String ABSENT = "absent";

    /** No version given (an optional field left out). */
    String NO_VERSION = "";

    record Put(
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "key", required = true) String key,
            @JsonProperty(value = "value", required = true) RawJson value,
            @JsonProperty(value = "epoch", required = true) long epoch,
            @JsonProperty(value = "region", required = true) String region,
            @JsonProperty(value = "hlc", required = true) long hlc,
            @JsonProperty(value = "writeId", required = true) String writeId,
            @JsonProperty("base") @JsonSetter(nulls = Nulls.AS_EMPTY)
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String base,
            @JsonProperty("ifMatch") @JsonSetter(nulls = Nulls.AS_EMPTY)
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String ifMatch) implements DataRecord {
        public Put {
            requireData(tenant, key, epoch, region, writeId);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException("a put needs a JSON value that is not null");
            }
            base = requireVersion("base", base);
            ifMatch = requireVersion("ifMatch", ifMatch);
        }

        /** A put that names no base and no precondition. */
        public Put(String tenant, String key, RawJson value, long epoch, String region, long hlc, String writeId) {
            this(tenant, key, value, epoch, region, hlc, writeId, NO_VERSION, NO_VERSION);
        }
    }

    record Delete(
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "key", required = true) String key,
            @JsonProperty(value = "epoch", required = true) long epoch,
            @JsonProperty(value = "region", required = true) String region,
            @JsonProperty(value = "hlc", required = true) long hlc,
            @JsonProperty(value = "writeId", required = true) String writeId,
            @JsonProperty("base") @JsonSetter(nulls = Nulls.AS_EMPTY)
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String base,
            @JsonProperty("ifMatch") @JsonSetter(nulls = Nulls.AS_EMPTY)
            @JsonInclude(JsonInclude.Include.NON_EMPTY) String ifMatch) implements DataRecord {
        public Delete {
            requireData(tenant, key, epoch, region, writeId);
            base = requireVersion("base", base);
            ifMatch = requireVersion("ifMatch", ifMatch);
        }

        /** A delete that names no base and no precondition. */
        public Delete(String tenant, String key, long epoch, String region, long hlc, String writeId) {
            this(tenant, key, epoch, region, hlc, writeId, NO_VERSION, NO_VERSION);
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

    /**
     * A document version as records carry it: {@link #NO_VERSION} (null reads as it), {@link #ABSENT} or a position
     * {@code partition:offset}; returns it normalized.
     */
    static String requireVersion(String field, String version) {
        if (version == null || version.isEmpty() || version.equals(ABSENT)) {
            return version == null ? NO_VERSION : version;
        }
        try {
            return Position.parse(version).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be a position <partition>:<offset> or '" + ABSENT
                    + "', got '" + version + "'", e);
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
