package io.meridian.infra.regions;

import io.meridian.infra.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/** The meters of region pauses: {@link MetricNames#REPLICATION_PAUSED} per configured region. */
public final class RegionPauseMetrics {
    private RegionPauseMetrics() {
    }

    public static void bind(MeterRegistry registry, Collection<String> regions, RegionPauses pauses) {
        for (String region : regions) {
            Gauge.builder(MetricNames.REPLICATION_PAUSED, pauses, p -> p.isPaused(region) ? 1 : 0)
                    .description("1 while the operator has the region's replication paused (meridian.regions)")
                    .tag(MetricNames.TAG_REGION, region)
                    .register(registry);
        }
    }
}
