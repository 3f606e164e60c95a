package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A record that could not be read, with where it came from and why; the raw bytes travel base64-encoded. */
public record DeadLetter(
        @JsonProperty(value = "topic", required = true) String topic,
        @JsonProperty(value = "partition", required = true) int partition,
        @JsonProperty(value = "offset", required = true) long offset,
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "reason", required = true) String reason,
        @JsonProperty(value = "payloadBase64", required = true) String payloadBase64,
        @JsonProperty(value = "timestamp", required = true) long timestamp) {
}
