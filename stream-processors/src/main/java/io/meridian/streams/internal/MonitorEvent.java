package io.meridian.streams.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.serde.JsonSerde;
import java.util.List;
import java.util.Objects;

/**
 * What the lag monitor's single-partition repartition topic carries to the one task that computes lag: WAL head
 * updates (at most one per WAL partition per forward interval) and heartbeats.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = MonitorEvent.HeadUpdate.class, name = "head"),
        @JsonSubTypes.Type(value = MonitorEvent.NodeReport.class, name = "heartbeat")
})
public sealed interface MonitorEvent {

    /** JSON: small and rare enough (a few per second) to be readable on the wire. */
    JsonSerde<MonitorEvent> SERDE = new JsonSerde<>(MonitorEvent.class);

    /** A WAL partition's head and the offset → time samples taken since the previous update, oldest first. */
    record HeadUpdate(
            @JsonProperty(value = "head", required = true) WalHead head,
            @JsonProperty(value = "samples", required = true) List<Sample> samples) implements MonitorEvent {
        public HeadUpdate {
            Objects.requireNonNull(head, "head");
            samples = List.copyOf(samples);
        }
    }

    /** A node's heartbeat. */
    record NodeReport(@JsonProperty(value = "heartbeat", required = true) Heartbeat heartbeat) implements MonitorEvent {
        public NodeReport {
            Objects.requireNonNull(heartbeat, "heartbeat");
        }
    }

    /** The record at {@code offset} has timestamp {@code timestamp}. */
    record Sample(
            @JsonProperty(value = "offset", required = true) long offset,
            @JsonProperty(value = "timestamp", required = true) long timestamp) {
        public Sample {
            if (offset < 0) {
                throw new IllegalArgumentException("a sample needs a non-negative offset, got " + offset);
            }
        }
    }
}
