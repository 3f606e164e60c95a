package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * A data record that conflicted, and how the applier of {@code observedIn} resolved it. Every region resolves it the
 * same way; each reports what it did. Two causes ({@link #cause}):
 * <ul>
 *   <li>absent: the record met a newer fence than the epoch it was written under;</li>
 *   <li>{@value #WRITE_CONFLICT}: in a multi-primary tenant, the record's {@code base} version no longer matched the
 *       document, whose current version came from another region (two regions wrote the key concurrently).</li>
 * </ul>
 *
 * <p>Optional since they were added (absent in records written before, read as empty): {@code cause}, and for write conflicts {@code base} (the version the record was based on),
 * {@code current} (the document's version when the record was applied, or {@code absent}) and {@code superseded}
 * (the position of the acknowledged write whose value does not survive as it was: the incoming record when it was
 * rejected or lost, the current document's when the incoming record replaced or was merged onto it; {@code absent}
 * when that document had been deleted).
 */
public record ConflictRecord(
        @JsonProperty(value = "tenant", required = true) String tenant,
        @JsonProperty(value = "key", required = true) String key,
        @JsonProperty(value = "position", required = true) String position,
        @JsonProperty(value = "recordEpoch", required = true) long recordEpoch,
        @JsonProperty(value = "fenceEpoch", required = true) long fenceEpoch,
        @JsonProperty(value = "originRegion", required = true) String originRegion,
        @JsonProperty(value = "observedIn", required = true) String observedIn,
        @JsonProperty(value = "strategy", required = true) ConflictStrategy strategy,
        @JsonProperty(value = "resolution", required = true) Resolution resolution,
        @JsonProperty(value = "reason", required = true) String reason,
        @JsonProperty(value = "timestamp", required = true) long timestamp,
        @JsonProperty("cause") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String cause,
        @JsonProperty("base") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String base,
        @JsonProperty("current") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String current,
        @JsonProperty("superseded") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String superseded) {

    /** {@link #cause}: written under an older epoch than the fence in force (left out of the JSON, as before). */
    public static final String STALE_EPOCH = "";
    /** {@link #cause}: a multi-primary write whose base version no longer matched. */
    public static final String WRITE_CONFLICT = "write_conflict";

    public ConflictRecord {
        cause = cause == null ? STALE_EPOCH : cause;
        if (!cause.equals(STALE_EPOCH) && !cause.equals(WRITE_CONFLICT)) {
            throw new IllegalArgumentException("cause must be absent (a stale epoch) or " + WRITE_CONFLICT
                    + ", got '" + cause + "'");
        }
        base = base == null ? "" : base;
        current = current == null ? "" : current;
        superseded = superseded == null ? "" : superseded;
    }

    /** A stale-epoch conflict. */
    public ConflictRecord(String tenant, String key, String position, long recordEpoch, long fenceEpoch,
                          String originRegion, String observedIn, ConflictStrategy strategy, Resolution resolution,
                          String reason, long timestamp) {
        this(tenant, key, position, recordEpoch, fenceEpoch, originRegion, observedIn, strategy, resolution, reason,
                timestamp, STALE_EPOCH, "", "", "");
    }

    @JsonIgnore
    public boolean isWriteConflict() {
        return WRITE_CONFLICT.equals(cause);
    }

    /** What the applier did with the conflicting record. */
    public enum Resolution {
        /** Dropped: the write is not acknowledged. */
        REJECTED("rejected"),
        /** Applied as-is (last writer won). */
        APPLIED("applied"),
        /** Merged onto the current document. */
        MERGED("merged"),
        /** Dropped, the current document being newer (last writer lost). */
        SUPERSEDED("superseded");

        private final String wireName;

        Resolution(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        @JsonCreator
        public static Resolution fromWire(String value) {
            return WireNames.parse(Resolution.class, values(), Resolution::wireName, value);
        }
    }
}
