package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The operator's intent for one region's replication, the value of {@code meridian.regions} (compacted, keyed by
 * region): paused for maintenance or running. The latest record of a region wins; a resume is a record with
 * {@code paused=false} (not a tombstone), so the topic still says when and by whom replication was resumed.
 *
 * @param region      the region
 * @param paused      true while the operator wants the region's applier stopped
 * @param sinceMillis when the intent last changed (the pausing or resuming node's clock)
 * @param reason      the operator's note ("" when none)
 * @param requestedBy the node that accepted the request ({@code <region>/<node id>})
 */
public record RegionPause(
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "paused", required = true) boolean paused,
        @JsonProperty(value = "sinceMillis", required = true) long sinceMillis,
        @JsonProperty(value = "reason") String reason,
        @JsonProperty(value = "requestedBy") String requestedBy) {

    /** The longest operator note kept. */
    public static final int MAX_REASON_LENGTH = 500;

    public RegionPause {
        Names.requireRegion(region);
        if (sinceMillis < 0) {
            throw new IllegalArgumentException("sinceMillis must not be negative, got " + sinceMillis);
        }
        reason = Objects.requireNonNullElse(reason, "");
        if (reason.length() > MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("reason must be at most " + MAX_REASON_LENGTH + " characters, got "
                    + reason.length());
        }
        requestedBy = Objects.requireNonNullElse(requestedBy, "");
    }

    /** The state of a region nobody ever paused: running since the beginning of time. */
    public static RegionPause running(String region) {
        return new RegionPause(region, false, 0, "", "");
    }
}
