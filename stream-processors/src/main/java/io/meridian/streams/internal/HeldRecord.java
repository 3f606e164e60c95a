package io.meridian.streams.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.infra.model.Placement;

/**
 * A WAL record of a syncing tenant that arrived after the snapshot's fence, held until the snapshot is merged and
 * then decided as if it came now: with the fence that was in force when it arrived, so the verdict is the one every
 * other region gave it. Immutable.
 */
public record HeldRecord(
        @JsonProperty("offset") long offset,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("generatedId") boolean generatedId,
        @JsonProperty("value") byte[] value,
        @JsonProperty("fence") Placement fence) {
}
