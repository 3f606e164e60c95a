package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a node publishes on {@code meridian.heartbeats} (keyed by {@code nodeId}) every heartbeat interval: who and
 * where it is, how far its region applier got in each WAL partition, which regions its own health monitor suspects,
 * and the controller epoch it last saw. Immutable; the collections are sorted copies so the JSON is stable.
 *
 * @param nodeId              the node's id, unique in the cluster
 * @param region              the node's region
 * @param url                 the node's advertised base URL (for redirects and the CLI)
 * @param appliedOffsets      WAL partition → offset this node's applier has applied up to (partitions it owns)
 * @param suspectedRegions    regions this node's monitor currently does not consider healthy
 * @param sentAtMillis        the node's wall clock when it sent the heartbeat (informational: liveness is judged by
 *                            the receiver's clock, so clock skew between regions cannot fake or hide a failure)
 * @param controllerEpochSeen the highest controller epoch this node has seen
 * @param needsReseed         the node's region skipped WAL records deleted by retention: it must not become a
 *                            primary until re-seeded (absent in heartbeats of older nodes: false)
 * @param paused              the node's applier is paused because the operator paused its region's replication
 *                            ({@code meridian.regions}); absent in heartbeats of older nodes: false
 * @param echoes              node id → the newest heartbeat this node received from that node: its
 *                            {@code sentAtMillis} (the sender's clock) and how long this node held it before this
 *                            heartbeat (this node's clock). The sender takes its round trip from it with its own clock
 *                            only. Absent in heartbeats of older nodes: empty
 */
public record Heartbeat(
        @JsonProperty(value = "nodeId", required = true) String nodeId,
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "url", required = true) String url,
        @JsonProperty(value = "appliedOffsets", required = true) Map<Integer, Long> appliedOffsets,
        @JsonProperty(value = "suspectedRegions", required = true) Set<String> suspectedRegions,
        @JsonProperty(value = "sentAtMillis", required = true) long sentAtMillis,
        @JsonProperty(value = "controllerEpochSeen", required = true) long controllerEpochSeen,
        @JsonProperty(value = "needsReseed") boolean needsReseed,
        @JsonProperty(value = "paused") boolean paused,
        @JsonProperty(value = "echoes") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Echo> echoes) {

    /** A heartbeat received, echoed back to its sender: when the sender sent it, how long the echoing node held it. */
    public record Echo(@JsonProperty(value = "sentAtMillis", required = true) long sentAtMillis,
                       @JsonProperty(value = "heldMillis", required = true) long heldMillis) {
    }

    public Heartbeat(String nodeId, String region, String url, Map<Integer, Long> appliedOffsets,
                     Set<String> suspectedRegions, long sentAtMillis, long controllerEpochSeen, boolean needsReseed,
                     boolean paused) {
        this(nodeId, region, url, appliedOffsets, suspectedRegions, sentAtMillis, controllerEpochSeen, needsReseed,
                paused, Map.of());
    }

    public Heartbeat(String nodeId, String region, String url, Map<Integer, Long> appliedOffsets,
                     Set<String> suspectedRegions, long sentAtMillis, long controllerEpochSeen) {
        this(nodeId, region, url, appliedOffsets, suspectedRegions, sentAtMillis, controllerEpochSeen, false);
    }

    public Heartbeat(String nodeId, String region, String url, Map<Integer, Long> appliedOffsets,
                     Set<String> suspectedRegions, long sentAtMillis, long controllerEpochSeen, boolean needsReseed) {
        this(nodeId, region, url, appliedOffsets, suspectedRegions, sentAtMillis, controllerEpochSeen, needsReseed,
                false);
    }

    public Heartbeat {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        Names.requireRegion(region);
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(appliedOffsets, "appliedOffsets");
        Objects.requireNonNull(suspectedRegions, "suspectedRegions");
        SortedMap<Integer, Long> offsets = new TreeMap<>();
        appliedOffsets.forEach((partition, offset) -> {
            if (partition == null || partition < 0 || offset == null || offset < 0) {
                throw new IllegalArgumentException("appliedOffsets need non-negative partitions and offsets, got "
                        + partition + ":" + offset);
            }
            offsets.put(partition, offset);
        });
        appliedOffsets = Collections.unmodifiableSortedMap(offsets);
        SortedSet<String> suspected = new TreeSet<>();
        suspectedRegions.forEach(r -> suspected.add(Names.requireRegion(r)));
        suspectedRegions = Collections.unmodifiableSortedSet(suspected);
        if (sentAtMillis < 0) {
            throw new IllegalArgumentException("sentAtMillis must not be negative, got " + sentAtMillis);
        }
        if (controllerEpochSeen < 0) {
            throw new IllegalArgumentException("controllerEpochSeen must not be negative, got " + controllerEpochSeen);
        }
        echoes = echoes == null ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(echoes));
    }
}
