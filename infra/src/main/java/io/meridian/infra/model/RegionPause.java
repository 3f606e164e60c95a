package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The operator's intent for one region's replication, the value of {@code meridian.regions} (compacted, keyed by
 * region): paused for maintenance or running. The latest record of a region wins; a resume is a record with
 * {@code paused=false} (not a tombstone), so the topic still says when and by whom replication was resumed.
 *
 * <p>The same record under the key {@value #AUTOMATIC_FAILOVER} (never a region name: those start with a letter or
 * digit) is the operator's cluster-wide intent for automatic failover: {@code paused=true} while the controller must
 * not fail regions over on its own (like {@code patronictl pause}). Nodes of versions that do not know the key cannot
 * read the record and skip it.
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

    /** The key of the cluster-wide pause of automatic failover in {@code meridian.regions}. */
    public static final String AUTOMATIC_FAILOVER = "-automatic-failover";

    /** The longest operator note kept. */
    public static final int MAX_REASON_LENGTH = 500;

    public RegionPause {
        if (!AUTOMATIC_FAILOVER.equals(region)) {
            Names.requireRegion(region);
        }
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
