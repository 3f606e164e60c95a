package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.model.RegionPause;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.WalStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class PausedReadsTest {
    private static final RegionPause PAUSED = new RegionPause("eu-west", true, 1_796_187_600_000L, "disk", "us-east/n1");

    @Test
    void shouldSaySinceWhenAndHowFarBehind() {
        ReplicationLag lag = new ReplicationLag("eu-west", List.of(
                new ReplicationLag.PartitionLag(3, 100, 58, 42, 3.5)), 42, 3.5, 0, 0, WalStats.EMPTY);
        assertEquals("since=2026-12-02T05:00:00Z; lag_entries=42; lag_seconds=3.5", PausedReads.headerValue(PAUSED, lag));
    }

    @Test
    void shouldSayUnknownBeforeTheLagMonitorReported() {
        assertEquals("since=2026-12-02T05:00:00Z; lag_entries=unknown; lag_seconds=unknown",
                PausedReads.headerValue(PAUSED, null));
    }
}
