package io.meridian.streams;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.infra.serde.RawJson;

/** A document as a region holds it: the value and where, under which epoch and by whom it was last written. */
public record StoredDocument(
        @JsonProperty(value = "value", required = true) RawJson value,
        @JsonProperty(value = "position", required = true) String position,
        @JsonProperty(value = "epoch", required = true) long epoch,
        @JsonProperty(value = "hlc", required = true) long hlc,
        @JsonProperty(value = "region", required = true) String region) {
}
