package io.meridian.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictRecord.Resolution;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.WalRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class ApplierMetricsTest {

    private static double conflicts(SimpleMeterRegistry registry, String strategy, String cause) {
        return registry.get(MetricNames.REPLICATION_CONFLICTS).tag(MetricNames.TAG_STRATEGY, strategy)
                .tag(MetricNames.TAG_CAUSE, cause).counter().count();
    }

    @Test
    void shouldCountConflictsByStrategyAndCause() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ApplierMetrics metrics = new ApplierMetrics(registry, Clock.systemUTC());

        metrics.onConflict(new ConflictRecord("acme", "k", "0:3", 1, 2, "us-east", "eu-west", ConflictStrategy.LWW,
                Resolution.APPLIED, "r", 1));
        metrics.onConflict(new ConflictRecord("acme", "k", "0:4", 2, 2, "us-east", "eu-west", ConflictStrategy.LWW,
                Resolution.SUPERSEDED, "r", 1, ConflictRecord.WRITE_CONFLICT, WalRecord.ABSENT, "0:3", "0:4"));
        metrics.onConflict(new ConflictRecord("acme", "k", "0:5", 2, 2, "us-east", "eu-west",
                ConflictStrategy.REJECT, Resolution.REJECTED, "r", 1, ConflictRecord.WRITE_CONFLICT, "0:3", "0:4",
                "0:5"));

        assertEquals(1, conflicts(registry, "lww", ApplierMetrics.CAUSE_STALE_EPOCH));
        assertEquals(1, conflicts(registry, "lww", ConflictRecord.WRITE_CONFLICT));
        assertEquals(1, conflicts(registry, "reject", ConflictRecord.WRITE_CONFLICT));
        assertEquals(0, conflicts(registry, "merge", ConflictRecord.WRITE_CONFLICT), "registered up front");
    }
}
