package io.meridian.streams;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A document as a region holds it: the value and where, under which epoch and by whom it was last written. */
public record StoredDocument(
        @JsonProperty(value = "value", required = true) JsonNode value,
        @JsonProperty(value = "position", required = true) String position,
        @JsonProperty(value = "epoch", required = true) long epoch,
        @JsonProperty(value = "hlc", required = true) long hlc,
        @JsonProperty(value = "region", required = true) String region) {
}
