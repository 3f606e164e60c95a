package io.meridian.migration;

import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverTrigger;
import io.meridian.election.failover.TenantFailover;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** Failover events and health snapshots for the failback tests. */
final class FailbackFixtures {
    private FailbackFixtures() {
    }

    static FailbackSettings settings(Duration after, Duration inhibit, int maxPerRegion) {
        return new FailbackSettings(true, after, maxPerRegion, 1_000, inhibit, Duration.ofSeconds(10));
    }

    /** An automatic failover of {@code from} that promoted {@code to} for each tenant at {@code epochAfter}. */
    static FailoverEvent failover(String from, String to, long finishedAt, Map<String, Long> epochAfterByTenant) {
        return failover(FailoverTrigger.AUTOMATIC, from, to, finishedAt, epochAfterByTenant);
    }

    static FailoverEvent failover(FailoverTrigger trigger, String from, String to, long finishedAt,
                                  Map<String, Long> epochAfterByTenant) {
        List<FailoverEvent.TenantResult> tenants = epochAfterByTenant.entrySet().stream()
                .map(e -> new FailoverEvent.TenantResult(e.getKey(), TenantFailover.Outcome.PROMOTED, 3, from, to,
                        e.getValue() - 1, e.getValue(), "promoted '" + to + "'", List.of()))
                .toList();
        return new FailoverEvent(FailoverEvent.TYPE, trigger, from, "", false, List.of(), 1, finishedAt - 10,
                finishedAt, 10, tenants);
    }

    static RegionStatus status(String region, RegionHealth health, long since) {
        return new RegionStatus(region, health, since, false, OptionalLong.of(100), 0, 3, 1_000, 2_000,
                Set.of(region + "-1"), Map.of(3, 99L), Map.of());
    }

    static HealthSnapshot health(long at, RegionStatus... statuses) {
        return HealthSnapshot.of(at, List.of(statuses));
    }
}
