package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Conflicts resolved with one strategy in one tumbling window of WAL time, counted once each however many regions
 * reported them: the value of {@code meridian.conflict-stats} (compacted, keyed by the strategy's wire name). A
 * window's count is re-published while it grows, so the newest record of a key is the newest window (a late update
 * of an older window may follow it; readers keep the window with the larger start). Immutable.
 *
 * @param strategy          the tenant's conflict strategy
 * @param windowStartMillis window start, inclusive
 * @param windowEndMillis   window end, exclusive
 * @param count             distinct conflicts (WAL positions) in the window
 */
public record ConflictStats(
        @JsonProperty(value = "strategy", required = true) ConflictStrategy strategy,
        @JsonProperty(value = "windowStartMillis", required = true) long windowStartMillis,
        @JsonProperty(value = "windowEndMillis", required = true) long windowEndMillis,
        @JsonProperty(value = "count", required = true) long count) {

    public ConflictStats {
        Objects.requireNonNull(strategy, "strategy");
        if (windowStartMillis < 0 || windowEndMillis <= windowStartMillis) {
            throw new IllegalArgumentException("a window needs 0 <= start < end, got [" + windowStartMillis + ", "
                    + windowEndMillis + ")");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
    }
}
