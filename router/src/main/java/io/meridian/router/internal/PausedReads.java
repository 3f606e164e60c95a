package io.meridian.router.internal;

import io.meridian.infra.model.RegionPause;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.regions.RegionPauses;
import io.meridian.router.ReplicationStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * What a read served by this region says when the region's replication is paused: the
 * {@link Headers#REPLICATION_PAUSED} value (since when, and how far behind the lag monitor last saw it). Thread-safe.
 */
public final class PausedReads {
    private final String region;
    private final RegionPauses pauses;
    private final ReplicationStatus replication;

    public PausedReads(String region, RegionPauses pauses, ReplicationStatus replication) {
        this.region = region;
        this.pauses = pauses;
        this.replication = replication;
    }

    /** Never paused: for tests and tools without a {@code meridian.regions} reader. */
    static PausedReads never(String region) {
        return new PausedReads(region, RegionPauses.inMemory(), null);
    }

    /** The header value while this region is paused, else empty. */
    public Optional<String> header() {
        RegionPause pause = pauses.state(region);
        if (!pause.paused()) {
            return Optional.empty();
        }
        ReplicationLag lag = replication == null ? null : replication.lagByRegion().get(region);
        return Optional.of(headerValue(pause, lag));
    }

    static String headerValue(RegionPause pause, ReplicationLag lag) {
        return "since=" + Instant.ofEpochMilli(pause.sinceMillis())
                + "; lag_entries=" + (lag == null ? "unknown" : Long.toString(lag.totalLagEntries()))
                + "; lag_seconds=" + (lag == null ? "unknown" : Double.toString(lag.maxLagSeconds()));
    }
}
