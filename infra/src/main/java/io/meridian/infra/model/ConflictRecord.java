package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A data record that met a newer fence than the epoch it was written under, and how the applier of
 * {@code observedIn} resolved it. Every region resolves it the same way; each reports what it did.
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
        @JsonProperty(value = "timestamp", required = true) long timestamp) {

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
