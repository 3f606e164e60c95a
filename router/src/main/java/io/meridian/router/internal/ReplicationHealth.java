package io.meridian.router.internal;

import io.meridian.election.ElectionSnapshot;
import io.meridian.election.controller.ControlPlane;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.api.RegionHealthReport;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.regions.RegionPauses;
import io.meridian.router.ReplicationStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of {@code GET /v1/replication/health}, the same on every node. The overall status:
 * <ul>
 *   <li>{@code unhealthy}: a region is unhealthy or needs a reseed, this node lost its coordination quorum, or a
 *   Meridian topic partition has no leader;</li>
 *   <li>{@code degraded}: a region's replication is paused, a region is suspect, lags more than {@value #DEGRADED_LAG_SECONDS} s, or has not
 *   reported its lag yet; or this node's applier dead-lettered a WAL record in the last minute; or a broker holding
 *   replicas of Meridian topics is offline, or a partition of them is under-replicated;</li>
 *   <li>{@code healthy}: otherwise.</li>
 * </ul>
 */
final class ReplicationHealth {
    /** The lag at which the warning alert fires too (prometheus/rules). */
    static final double DEGRADED_LAG_SECONDS = 30;

    private ReplicationHealth() {
    }

    static Map<String, Object> body(String region, List<String> regions, int walPartitions, ControlPlane controlPlane,
                                    ReplicationStatus replication) {
        return body(region, regions, walPartitions, controlPlane, replication, RegionPauses.inMemory());
    }

    static Map<String, Object> body(String region, List<String> regions, int walPartitions, ControlPlane controlPlane,
                                    ReplicationStatus replication, RegionPauses pauses) {
        return body(region, regions, walPartitions, controlPlane, replication, pauses, true);
    }

    /** @param failoverEnabled {@code failover.enabled}: shown with the operator's pause as {@code automaticFailover} */
    static Map<String, Object> body(String region, List<String> regions, int walPartitions, ControlPlane controlPlane,
                                    ReplicationStatus replication, RegionPauses pauses, boolean failoverEnabled) {
        HealthSnapshot health = controlPlane.health();
        ElectionSnapshot election = controlPlane.election();
        Map<String, ReplicationLag> lags = replication.lagByRegion();
        boolean unhealthy = !controlPlane.hasQuorum();
        boolean degraded = false;
        Map<String, RegionHealthReport> perRegion = new LinkedHashMap<>();
        for (String name : regions) {
            RegionStatus status = health.regions().get(name);
            ReplicationLag lag = lags.get(name);
            RegionHealth state = status == null ? RegionHealth.SUSPECT : status.state();
            boolean needsReseed = status != null && status.needsReseed();
            unhealthy |= state == RegionHealth.UNHEALTHY || needsReseed;
            RegionPause pause = pauses.state(name);
            // Paused by the operator (meridian.regions) or, as its heartbeats say, by its nodes.
            boolean paused = pause.paused() || status != null && status.paused();
            degraded |= state == RegionHealth.SUSPECT || lag == null || lag.maxLagSeconds() > DEGRADED_LAG_SECONDS
                    || paused;
            RegionHealthReport entry = new RegionHealthReport(state.wireName(),
                    state == RegionHealth.HEALTHY && !needsReseed, needsReseed, paused,
                    pause.paused() ? Instant.ofEpochMilli(pause.sinceMillis()).toString() : null,
                    lag == null ? null : lag.totalLagEntries(), lag == null ? null : lag.maxLagSeconds(),
                    status == null || status.lastHeartbeatAgeMillis().isEmpty()
                            ? null : status.lastHeartbeatAgeMillis().getAsLong(),
                    status == null ? List.of() : List.copyOf(status.nodes()));
            perRegion.put(name, entry);
        }
        Map<String, Object> wal = new LinkedHashMap<>();
        wal.put("partitions", walPartitions);
        wal.put("endOffsets", replication.walEndOffsets());
        long size = replication.walSizeBytes();
        wal.put("sizeBytes", size < 0 ? null : size);
        replication.walStats().ifPresent(stats -> {
            wal.put("entries", stats.entries());
            wal.put("bytes", stats.bytes());
        });

        Map<String, Object> kafka = new LinkedHashMap<>();
        replication.kafkaHealth().ifPresentOrElse(cluster -> {
            kafka.put("status", cluster.offlinePartitions() > 0 ? "unhealthy" : cluster.healthy() ? "healthy"
                    : "degraded");
            kafka.put("onlineBrokers", cluster.onlineBrokers());
            kafka.put("offlineBrokers", cluster.offlineBrokers());
            kafka.put("underReplicatedPartitions", cluster.underReplicatedPartitions());
            kafka.put("offlinePartitions", cluster.offlinePartitions());
            kafka.put("checkedAt", Instant.ofEpochMilli(cluster.atMillis()).toString());
        }, () -> kafka.put("status", "unknown"));
        boolean kafkaUnhealthy = "unhealthy".equals(kafka.get("status"));
        unhealthy |= kafkaUnhealthy;
        degraded |= "degraded".equals(kafka.get("status"));

        long deadLetters = replication.deadLettersLastMinute();
        degraded |= deadLetters > 0;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", unhealthy ? "unhealthy" : degraded ? "degraded" : "healthy");
        body.put("region", region);
        body.put("role", election.leading() ? "controller" : election.state().name().toLowerCase(Locale.ROOT));
        body.put("controllerEpoch", election.epoch());
        body.put("hasQuorum", controlPlane.hasQuorum());
        body.put("wal", wal);
        body.put("kafka", kafka);
        body.put("conflictsLastMinute", replication.conflictsLastMinuteByStrategy());
        body.put("deadLettersLastMinute", deadLetters);
        body.put("regions", perRegion);
        body.put("automaticFailover", FailoverPauseApi.body(pauses.automaticFailover(), failoverEnabled, null));
        return body;
    }
}
