package io.meridian.infra.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One region's entry in {@code GET /v1/replication/health} ({@code "regions": {"us-east": {...}}}): the node writes it,
 * {@code meridianctl replication health} reads it, so the two cannot disagree on a field's name. Unknown fields are
 * ignored when read, so an older {@code meridianctl} reads a newer node's answer.
 *
 * @param health                 {@code healthy}, {@code suspect} or {@code unhealthy}
 * @param healthy                healthy and not in need of a reseed
 * @param needsReseed            the region skipped WAL records deleted by retention
 * @param paused                 its replication is paused (by the operator, or as its heartbeats say)
 * @param pausedSince            ISO-8601, null unless paused in {@code meridian.regions}
 * @param lagEntries             WAL entries it still has to apply; null before its lag is known
 * @param lagSeconds             how far behind it is, in seconds; null before its lag is known
 * @param lastHeartbeatAgeMillis how long ago the newest heartbeat of its nodes was seen; null when never heard from
 * @param nodes                  the node ids heard from in the region
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RegionHealthReport(String health, boolean healthy, boolean needsReseed, boolean paused,
                                 String pausedSince, Long lagEntries, Double lagSeconds, Long lastHeartbeatAgeMillis,
                                 List<String> nodes) {
}
