package io.meridian.election.health;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A region-health change as the controller publishes it on {@code meridian.controller} (as JSON through
 * {@link io.meridian.infra.serde.Json}). Consumers of that topic dispatch on {@code type}. Immutable; reading one
 * whose transition {@link RegionHealth} does not allow fails, like any other malformed control event.
 *
 * @param controllerEpoch the epoch of the controller that observed the change (every control event carries it)
 */
public record RegionHealthEvent(
        @JsonProperty(value = "type", required = true) String type,
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "from", required = true) RegionHealth from,
        @JsonProperty(value = "to", required = true) RegionHealth to,
        @JsonProperty(value = "atMillis", required = true) long atMillis,
        @JsonProperty(value = "reason", required = true) String reason,
        @JsonProperty(value = "consecutiveMisses", required = true) int consecutiveMisses,
        @JsonProperty(value = "controllerEpoch", required = true) long controllerEpoch) {

    /** The {@code type} of every region-health event on {@code meridian.controller}. */
    public static final String TYPE = "region-health";

    public RegionHealthEvent {
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("type must be '" + TYPE + "', got '" + type + "'");
        }
        RegionHealthChange.check(region, from, to, reason, consecutiveMisses);
        if (controllerEpoch < 0) {
            throw new IllegalArgumentException("controllerEpoch must not be negative, got " + controllerEpoch);
        }
    }

    public static RegionHealthEvent of(RegionHealthChange change, long controllerEpoch) {
        return new RegionHealthEvent(TYPE, change.region(), change.from(), change.to(), change.atMillis(),
                change.reason(), change.consecutiveMisses(), controllerEpoch);
    }

    public RegionHealthChange toChange() {
        return new RegionHealthChange(region, from, to, atMillis, reason, consecutiveMisses);
    }
}
